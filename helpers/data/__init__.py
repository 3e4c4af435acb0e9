"""helpers.data: load, validate, dedupe, split and fingerprint instruction data.

Every supported format (Alpaca, ShareGPT, OpenAI messages, prompt/completion; JSON, JSONL,
`datasets` objects, hub ids) becomes one canonical form,
``{"messages": [{"role", "content"}, ...], **extra}``, with extra keys kept verbatim.

    from helpers.data import load, dedupe, group_split, find_leakage, fingerprint
    data = load("train.jsonl")                 # errors name file, line, field, expectation
    unique = dedupe(data).records
    parts = group_split(unique, key="family", eval_fraction=0.2, seed=0)
    assert not find_leakage(parts.train, parts.eval)
    print(fingerprint(parts.train))

Importing this package is cheap: `datasets` is imported only when a hub id is loaded.
"""

from helpers.data.bundled import bundled_split, heldout_texts
from helpers.data.dedupe import (
    DedupeResult,
    Duplicate,
    Leak,
    conversation_text,
    dedupe,
    find_leakage,
    normalize_text,
    prompt_text,
)
from helpers.data.errors import (
    DataError,
    DataFileNotFoundError,
    DataFormatError,
    DataSourceError,
    EmptyContentError,
    EmptyDatasetError,
    EncodingError,
    MalformedJSONError,
    MissingFieldError,
    MultiTurnError,
    Skip,
    TurnOrderError,
    UnknownFormatError,
    UnknownRoleError,
    WrongTypeError,
)
from helpers.data.fingerprint import canonical_json, fingerprint
from helpers.data.formats import FORMATS, detect_format, to_alpaca, to_canonical
from helpers.data.load import DataSkipWarning, LoadResult, load, load_hub, save_jsonl
from helpers.data.split import SplitResult, group_split

__all__ = [
    "FORMATS", "DataError", "DataFileNotFoundError", "DataFormatError", "DataSkipWarning",
    "DataSourceError", "DedupeResult", "Duplicate", "EmptyContentError", "EmptyDatasetError",
    "EncodingError", "Leak", "LoadResult", "MalformedJSONError", "MissingFieldError",
    "MultiTurnError", "Skip", "SplitResult", "TurnOrderError", "UnknownFormatError",
    "UnknownRoleError", "WrongTypeError", "bundled_split", "canonical_json", "heldout_texts", "conversation_text", "dedupe",
    "detect_format", "find_leakage", "fingerprint", "group_split", "load", "load_hub",
    "normalize_text", "prompt_text", "save_jsonl", "to_alpaca", "to_canonical",
]
