"""The errors helpers.registry raises when a user asks for something it cannot do.

Each message says what was wrong, where (registry folder, run id, metric) and what to do.
Catch `RegistryError` for "anything the registry refused".
"""

from __future__ import annotations

from typing import Any


class RegistryError(ValueError):
    """Base of every refusal by helpers.registry (a ValueError: the caller asked for it)."""


class RunNotFoundError(RegistryError, FileNotFoundError):
    """No run with that id in this registry."""


class IncompleteRunError(RegistryError):
    """The run has no COMPLETE marker: it is still being written, or its writer died."""


class RunFinishedError(RegistryError):
    """The run is complete and therefore immutable; start a new run instead."""


class UnknownStageError(RegistryError):
    """A stage name other than the ones the registry knows."""


class GateSpecError(RegistryError):
    """A gate threshold that cannot be parsed, e.g. "=> 0.3" instead of ">=0.3"."""


class NothingToRollBackError(RegistryError):
    """Rollback asked for, but the stage has no earlier run to go back to."""


class RegistryCorruptError(RegistryError):
    """index.json is unreadable (should never happen: writes are atomic); rebuild it."""


class GateFailedError(RegistryError):
    """A promotion was refused by its evaluation gate; `.result` holds every check."""

    def __init__(self, message: str, result: Any) -> None:
        super().__init__(message)
        self.result = result
