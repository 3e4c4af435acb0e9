"""Will it fit? GPU memory of fine-tuning a causal LM, estimated from its config.json alone.

    >>> from helpers.memory import fits, fit_check, estimate_memory
    >>> report = fits(CONFIGS_DIR / "SmolLM2-360M", budget="t4", method="qlora", batch_size=8)
    >>> report = fit_check(preset("t4"), CONFIGS_DIR / "SmolLM2-360M", budget="t4")  # a RunConfig
    >>> print(report)           # fits or not, margin, largest batch / sequence, switches that help
    >>> print(report.estimate)  # weights, adapters, gradients, optimizer, activations, logits...

No weights are loaded and torch is not imported (except for budget="current"), so this runs
anywhere in milliseconds. `python -m helpers.bench.memory` calibrates it on a real GPU.
"""

from helpers.memory.arch import (
    LINEAR_NAMES,
    ModelArch,
    ModelConfigError,
    ModelConfigNotFoundError,
    count_parameters,
    load_arch,
)
from helpers.memory.estimate import GIB, MemoryEstimate, estimate_memory
from helpers.memory.fit import (
    BUDGETS,
    FitReport,
    NoGPUError,
    budget_dtype,
    fit_check,
    fits,
    resolve_budget,
)
from helpers.memory.settings import MemorySettings, SettingsError, from_run, make_settings
from helpers.paths import DATA_DIR

CONFIGS_DIR = DATA_DIR / "configs"  # published config.json files of real models (see its README.md)

__all__ = [
    "BUDGETS",
    "CONFIGS_DIR",
    "GIB",
    "LINEAR_NAMES",
    "FitReport",
    "MemoryEstimate",
    "MemorySettings",
    "ModelArch",
    "ModelConfigError",
    "ModelConfigNotFoundError",
    "NoGPUError",
    "SettingsError",
    "budget_dtype",
    "count_parameters",
    "estimate_memory",
    "fit_check",
    "fits",
    "from_run",
    "load_arch",
    "make_settings",
    "resolve_budget",
]
