"""fingerprint(): a content hash of a dataset, recorded with every run for lineage.

Definition (keep it stable: registries compare fingerprints across versions):

    sha256( for each record, in order:
                json.dumps(record, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"), allow_nan=False) + "\\n"
            encoded as UTF-8 )  -> 64 lowercase hex characters

So it is sensitive to record order and to every value (including extra keys such as "id"),
and insensitive to the order of keys inside a record and to how the file was formatted.
Shuffling a dataset changes its fingerprint: the order a model sees data in is part of a run.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from helpers.data.errors import WrongTypeError


def canonical_json(record: Any, index: int = 0) -> str:
    """The one-line serialisation fingerprint() hashes (index only names the record in errors)."""
    try:
        return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WrongTypeError(
            f"record is not plain JSON ({exc})", record=index + 1,
            expected="only dict/list/str/int/float/bool/None values, no NaN") from None


def fingerprint(records: Any) -> str:
    """sha256 hex digest over the canonical JSON lines of records (a list or LoadResult)."""
    digest = hashlib.sha256()
    for i, record in enumerate(records):
        digest.update((canonical_json(record, i) + "\n").encode("utf-8"))
    return digest.hexdigest()
