"""Read raw records, with their locations, from files, `datasets` objects and in-memory lists.

Nothing here knows about instruction formats: a source becomes a list of `RawItem`s (the parsed
JSON value plus file/line/record), and problems confined to one record (a malformed JSONL line,
non-UTF-8 bytes on one line) travel *with* the item, so strict=False can skip just that line.
Problems with the whole source (missing file, empty file, a broken JSON array) raise at once.

File type is decided by content, not extension: a file starting with '[' is a JSON array, a
single JSON object with a "data" list is unwrapped, anything else is read as JSON Lines (one
object per line; blank lines are ignored). A UTF-8 byte-order mark (Windows editors) is removed.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.data.errors import (
    DataError,
    DataFileNotFoundError,
    DataSourceError,
    EmptyDatasetError,
    EncodingError,
    MalformedJSONError,
)

SUFFIXES = (".json", ".jsonl", ".ndjson")  # what read_file accepts
DATA_LIKE_SUFFIXES = SUFFIXES + (".csv", ".tsv", ".parquet", ".arrow", ".txt", ".gz", ".zst")
_BOM = b"\xef\xbb\xbf"
_WS = re.compile(r"\s*")
_JSONL_EXPECTED = "one complete JSON object per line (pretty-printed JSON belongs in a .json file)"


@dataclass
class RawItem:
    """One record as read from a source, before format conversion."""

    value: Any  # the parsed JSON value / dataset row (None when error is set)
    path: str  # file as the user named it, hub id, or "<Dataset>"
    line: int | None  # 1-based line in the file where the record starts; None if not a file
    record: int  # 1-based position among the source's records
    error: DataError | None = None  # a problem confined to this record (it can be skipped)


def read_file(path: str | os.PathLike, name: str | None = None) -> list[RawItem]:
    """Read a .json / .jsonl file into RawItems; raise for problems with the whole file.

    `name` is how the file is named in messages (default: the path as given)."""
    name, p = name or str(path), Path(path)
    if not p.exists():
        raise DataFileNotFoundError(
            "no such file", path=name, expected="an existing .json or .jsonl file",
            hint=f"Relative paths start from the current folder ({Path.cwd()})")
    if p.is_dir() or p.suffix.lower() not in SUFFIXES:
        what = "a folder" if p.is_dir() else f"a '{p.suffix}' file"
        raise DataSourceError(f"{what} cannot be read here", path=name,
                              expected="a .json or .jsonl file",
                              hint="For CSV/Parquet, load it with datasets.load_dataset(...) and "
                              "pass the Dataset to helpers.data.load")
    data = p.read_bytes()
    bom = len(_BOM) if data.startswith(_BOM) else 0
    data = data[bom:]
    if not data.strip():
        raise EmptyDatasetError("the file is empty", path=name,
                                expected="at least one record")
    if data.lstrip()[:1] == b"[":
        return _read_json_array(_decode_all(data, name, bom), name)
    wrapped = _unwrap_data_object(data, name)
    return wrapped if wrapped is not None else _read_jsonl(data, name, bom)


def _encoding_error(data: bytes, at: int, path: str, line: int, line_start: int,
                    bom: int) -> EncodingError:
    """Name the bad byte (data[at]), its offset within the line, and its offset in the file."""
    return EncodingError(
        f"byte 0x{data[at]:02x} at byte offset {at - line_start} of the line (offset "
        f"{at + bom} in the file) is not valid UTF-8", path=path, line=line,
        expected="UTF-8 text",
        hint="Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.jsonl > out.jsonl`")


def _decode_all(data: bytes, path: str, bom: int) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        raise _encoding_error(data, err.start, path, line, line_start, bom) from None


def _json_error(err: json.JSONDecodeError, path: str, expected: str,
                line: int | None = None, record: int | None = None) -> MalformedJSONError:
    return MalformedJSONError(f"invalid JSON: {err.msg} (column {err.colno})", path=path,
                              line=line or err.lineno, record=record, expected=expected)


def _read_jsonl(data: bytes, path: str, bom: int) -> list[RawItem]:
    items, line_start = [], 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        start, line_start = line_start, line_start + len(raw) + 1
        if not raw.strip():
            continue  # blank lines (e.g. a trailing newline) hold no record
        record = len(items) + 1
        try:
            value = json.loads(raw.decode("utf-8"))
            items.append(RawItem(value, path, number, record))
        except UnicodeDecodeError as err:
            error = _encoding_error(data, start + err.start, path, number, start, bom)
            items.append(RawItem(None, path, number, record, error.at(record=record)))
        except json.JSONDecodeError as err:
            error = _json_error(err, path, _JSONL_EXPECTED, line=number, record=record)
            items.append(RawItem(None, path, number, record, error))
    return items


def _unwrap_data_object(data: bytes, path: str) -> list[RawItem] | None:
    """{"data": [...]} -> its records (without line numbers); anything else -> None."""
    if data.lstrip()[:1] != b"{":
        return None
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None  # not one JSON document: JSON Lines, or broken (reported line by line)
    if isinstance(obj, dict) and isinstance(obj.get("data"), list):
        return [RawItem(v, path, None, i) for i, v in enumerate(obj["data"], start=1)]
    return None


def _read_json_array(text: str, path: str) -> list[RawItem]:
    """Parse '[rec, rec, ...]' one element at a time, remembering the line each one starts on."""
    decoder, items, expected = json.JSONDecoder(), [], "a JSON array of objects"
    pos = _WS.match(text, _WS.match(text).end() + 1).end()  # first non-space after '['
    line, counted, closed = 1, 0, text.startswith("]", pos)
    pos += closed
    while not closed:
        record = len(items) + 1
        if text.startswith("]", pos):  # '[..., ]'
            err = json.JSONDecodeError("trailing comma before ']'", text, pos)
            raise _json_error(err, path, expected + " without a trailing comma")
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise _json_error(err, path, expected, record=record) from None
        line, counted = line + text.count("\n", counted, pos), pos
        items.append(RawItem(value, path, line, record))
        pos = _WS.match(text, end).end()
        closed = text.startswith("]", pos)
        if not closed and not text.startswith(",", pos):
            err = json.JSONDecodeError("expecting ',' or ']' after a record", text, pos)
            raise _json_error(err, path, expected, record=record)
        pos = pos + 1 if closed else _WS.match(text, pos + 1).end()
    if text[pos:].strip():
        err = json.JSONDecodeError("extra data after the closing ']'", text, pos)
        raise _json_error(err, path, "a single JSON array")
    return items


def read_rows(rows: Any, name: str) -> list[RawItem]:
    """Rows of a datasets.Dataset or an in-memory list, numbered from 1."""
    return [RawItem(row, name, None, i) for i, row in enumerate(rows, start=1)]
