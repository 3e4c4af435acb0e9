"""nbval runs these notebooks CI-sized, also when called on notebooks/ alone (tests/conftest.py
is not loaded then): every parameters cell reads TUNELAB_QUICK, and kernels inherit it."""

import os


def pytest_configure(config):
    os.environ.setdefault("TUNELAB_QUICK", "1")


def pytest_collection_modifyitems(config, items):
    """Every notebook cell counts as slow: the fast tier (`pytest -m "not slow"`) skips the
    notebooks, which load models and train even in quick mode."""
    import pytest

    here = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        if os.path.abspath(str(item.fspath)).startswith(here + os.sep):
            item.add_marker(pytest.mark.slow)
