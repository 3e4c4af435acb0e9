"""Moved to helpers.tables (one table renderer for the kit); kept for importers not yet updated."""

from helpers.tables import Table, fmt

__all__ = ["Table", "fmt"]
