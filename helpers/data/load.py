"""load(): any supported source, any supported format -> validated canonical records.

    result = load("data/instructions/train.jsonl")            # format detected
    result = load(ds, format="sharegpt")                      # a datasets.Dataset, forced format
    result = load("tatsu-lab/alpaca", split="train[:1000]")   # hub id -> datasets.load_dataset
    result = load("messy.jsonl", strict=False)                # skip bad records, report them
    print(result.summary()); records = result.records

strict=True (the default) stops at the first bad record with an error naming file, line, field
and expectation: fix data before training on it. strict=False skips bad records, lists each one
in `result.skipped`, and emits one DataSkipWarning line, so nothing is ever dropped silently.
"""

from __future__ import annotations

import os
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers.data.errors import FIX_HINT, DataError, DataSourceError, EmptyDatasetError, Skip
from helpers.data.formats import (
    check_format_name,
    detect_format,
    to_canonical,
    unknown_format_error,
)
from helpers.data.sources import DATA_LIKE_SUFFIXES, RawItem, read_file, read_rows
from helpers.paths import display_path


class DataSkipWarning(UserWarning):
    """Emitted once per load(strict=False) that skipped records; details are in .skipped."""


@dataclass
class LoadResult:
    """Canonical records plus where they came from and what was skipped. Iterable, has len()."""

    records: list[dict[str, Any]]  # canonical {"messages": [...], **extra} records, source order
    format: str  # detected or forced format of the source
    source: str  # file path as given, hub id, or "<Dataset>" / "<records>"
    skipped: list[Skip] = field(default_factory=list)  # one entry per skipped record (lenient)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.records[index]

    def skip_counts(self) -> dict[str, int]:
        """How many records were skipped per kind of problem, most common first."""
        return dict(Counter(s.kind for s in self.skipped).most_common())

    def summary(self, max_skips: int = 10) -> str:
        """One line of counts, then up to max_skips 'file:line:field: reason' lines."""
        head = f"{self.source}: {len(self.records)} records ({self.format} format)"
        if not self.skipped:
            return head + ", none skipped"
        kinds = ", ".join(f"{n} {k}" for k, n in self.skip_counts().items())
        lines = [f"{head}, {len(self.skipped)} skipped ({kinds})"]
        lines += [f"  {s}" for s in self.skipped[:max_skips]]
        if len(self.skipped) > max_skips:
            lines.append(f"  ... and {len(self.skipped) - max_skips} more (see .skipped)")
        return "\n".join(lines)


def load(source: Any, *, format: str | None = None, split: str | None = None,
         strict: bool = True, warn: bool = True, **load_dataset_kwargs: Any) -> LoadResult:
    """Load and validate instruction data into canonical records.

    source: a .json/.jsonl path, a datasets.Dataset or DatasetDict, a list of dicts, or a hub
    dataset id (a str that is not an existing file and has no data-file suffix), which goes
    to datasets.load_dataset(source, split=split or "train", **load_dataset_kwargs).
    format: None to detect from the first valid record, or one of FORMATS to force it.
    split: which split of a DatasetDict / hub dataset to use.
    strict: raise on the first bad record (True) or skip and report bad records (False).
    warn: with strict=False, emit one DataSkipWarning line when something was skipped.
    """
    try:
        check_format_name(format)
    except DataError as err:
        raise err.at(display_path(source) if isinstance(source, (str, os.PathLike)) else None) from None
    items, name = _read_source(source, split, load_dataset_kwargs)
    result = _convert(items, name, format, strict)
    if result.skipped and warn:
        first = result.skipped[0]
        warnings.warn(f"helpers.data: {result.summary().splitlines()[0]}; first: {first}; "
                      "see LoadResult.skipped", DataSkipWarning, stacklevel=2)
    return result


def load_hub(dataset_id: str, split: str = "train", **load_dataset_kwargs: Any) -> Any:
    """datasets.load_dataset(dataset_id, split=split, ...) with failures as DataSourceError.

    Works for local builders too, e.g. load_hub("json", data_files="train.jsonl").
    """
    import datasets  # heavy: imported only when a hub/builder source is used

    try:
        return datasets.load_dataset(dataset_id, split=split, **load_dataset_kwargs)
    except Exception as exc:
        raise DataSourceError(
            f"datasets.load_dataset failed: {type(exc).__name__}: {str(exc)[:300]}",
            path=dataset_id, expected="a reachable hub dataset id or a local data file",
            hint="Offline? Use a local .json/.jsonl file (the bundled data lives in data/); "
            "check the split name") from exc


def save_jsonl(records: Any, path: str | os.PathLike) -> Path:
    """Write records (a list or a LoadResult) as JSON Lines, atomically (helpers.io)."""
    from helpers.io import write_jsonl

    return write_jsonl(list(records), path)


def _read_source(source: Any, split: str | None, kwargs: dict) -> tuple[list[RawItem], str]:
    if isinstance(source, str) and not _looks_local(source):
        return _dataset_rows(load_hub(source, split or "train", **kwargs), split, source)
    where = display_path(source) if isinstance(source, (str, os.PathLike)) else None
    if kwargs:  # ignoring them silently would hide a mistake
        raise DataSourceError(f"load_dataset arguments {sorted(kwargs)} given", path=where,
                              expected="such arguments only with a hub dataset id")
    if type(source).__module__.split(".")[0] == "datasets":
        return _dataset_rows(source, split, f"<{type(source).__name__}>")
    if split is not None:
        raise DataSourceError(f"split={split!r} given", path=where,
                              expected="split= only with a hub dataset id or a DatasetDict")
    if isinstance(source, (str, os.PathLike)):
        return read_file(source, where), where
    if isinstance(source, (list, tuple)):
        return read_rows(source, "<records>"), "<records>"
    raise DataSourceError(f"cannot load from a {type(source).__name__}",
                          expected="a file path, hub id, datasets.Dataset/DatasetDict or a list "
                          "of dicts")


def _looks_local(source: str) -> bool:
    """An existing path or a data-file suffix means a local file, so a typo gives "no such
    file" rather than a hub error; any other string (e.g. "tatsu-lab/alpaca") is a hub id."""
    path = Path(source)
    return path.exists() or path.suffix.lower() in DATA_LIKE_SUFFIXES


def _dataset_rows(ds: Any, split: str | None, name: str) -> tuple[list[RawItem], str]:
    """Rows of a Dataset; for a DatasetDict pick `split` (or its only split)."""
    if isinstance(ds, dict):  # DatasetDict / IterableDatasetDict are dicts of splits
        splits = list(ds.keys())
        chosen = split if split is not None else (splits[0] if len(splits) == 1 else None)
        if chosen not in splits:
            raise DataSourceError(f"split {split!r} not in this DatasetDict", path=name,
                                  expected="split= one of: " + ", ".join(splits))
        ds, name = ds[chosen], f"{name}[{chosen}]"
    return read_rows(ds, name), name


def _convert(items: list[RawItem], name: str, format: str | None, strict: bool) -> LoadResult:
    if not items:
        raise EmptyDatasetError("no records", path=name, expected="at least one record")
    fmt = format or _detect(items, name, strict)
    records, skipped = [], []
    for item in items:
        try:
            if item.error is not None:
                raise item.error
            records.append(to_canonical(item.value, fmt))
        except DataError as err:
            if strict and err.hint is None:
                err.hint = FIX_HINT
            err.at(item.path, item.line, item.record)
            if strict:
                raise
            skipped.append(Skip.from_error(err))
    if not records:
        raise EmptyDatasetError(f"all {len(items)} records were skipped; first: {skipped[0]}",
                                path=name, expected="at least one valid record")
    return LoadResult(records, fmt, name, skipped)


def _detect(items: list[RawItem], name: str, strict: bool) -> str:
    """Format of the first valid record (strict: of the first record, which must be valid)."""
    candidates = items[:1] if strict else items
    readable = [i for i in candidates if i.error is None]
    for item in readable:
        fmt = detect_format(item.value)
        if fmt is not None:
            return fmt
    if not readable:
        if strict:
            raise items[0].error
        raise EmptyDatasetError(f"none of the {len(items)} records could be read; first: "
                                f"{Skip.from_error(items[0].error)}", path=name,
                                expected="at least one readable record")
    first = readable[0]
    raise unknown_format_error(first.value).at(first.path, first.line, first.record)
