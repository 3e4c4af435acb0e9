"""helpers.widgets: compare one base model under several LoRA adapters, side by side.

- `compare(model, tok, prompt, variants, settings)` → ComparisonTable (scripts, tests).
- `CompareUI(model, tok, variants, presets)` → the live ipywidgets UI of notebook 06:
  streaming columns, stop reasons, pass/fail on presets, votes, history, export.
- `History`: comparisons + votes → preference JSONL, ties, win rates.
- `memory_report(model)`: the base's bytes and each adapter's bytes.
- `load_variants` / `quick`: load adapters (or train small ones) for the notebook.

Importing this package is cheap: torch and ipywidgets are imported when used.
"""

from helpers.widgets.compare import (
    STOP_LABELS,
    ComparisonRow,
    ComparisonTable,
    compare,
    run_variant,
    to_messages,
)
from helpers.widgets.history import History, VoteError
from helpers.widgets.presets import Preset, load_presets, preset_from_record
from helpers.widgets.ui import CompareUI
from helpers.widgets.variants import (
    TIE,
    MemoryReport,
    Variant,
    VariantError,
    as_variants,
    format_bytes,
    load_variants,
    memory_report,
    use_variant,
)

__all__ = [
    "STOP_LABELS", "TIE", "CompareUI", "ComparisonRow", "ComparisonTable", "History",
    "MemoryReport", "Preset", "Variant", "VariantError", "VoteError", "as_variants", "compare",
    "format_bytes", "load_presets", "load_variants", "memory_report", "preset_from_record",
    "run_variant", "to_messages", "use_variant",
]
