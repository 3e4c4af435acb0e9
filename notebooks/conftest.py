"""nbval runs these notebooks CI-sized, also when called on notebooks/ alone (tests/conftest.py
is not loaded then): every parameters cell reads TUNELAB_QUICK, and kernels inherit it."""

import os


def pytest_configure(config):
    os.environ.setdefault("TUNELAB_QUICK", "1")
