"""The errors helpers.data raises, and the record of a skipped example.

Every error carries *where* (file, 1-based line and/or record number), *which field*, *what was
wrong* and *what was expected*, because the classic dataset failure is one bad line out of
50,000 reported as a bare KeyError from deep inside a library. The message reads like

    train.jsonl, line 7, field 'conversations[2].from': unknown role 'bot';
    expected one of: human, gpt, system, user, assistant. Fix the record, or load with
    strict=False to skip bad records (each skip is reported).

Catch `DataError` for "anything helpers.data refused"; catch a subclass for one kind of problem.
`DataFormatError` and its subclasses are `ValueError`s; a missing file is a `FileNotFoundError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIX_HINT = "Fix the record, or load with strict=False to skip bad records (each skip is reported)."


class DataError(Exception):
    """Base of every error helpers.data raises about user data.

    Attributes: path (file, hub id or "<Dataset>"), line (1-based line in a text file, or None),
    record (1-based record number, or None), field (e.g. "messages[1].content", or None),
    problem (what was wrong), expected (what would have been right), hint (what to do).
    """

    kind = "data error"  # short label used to group skips in summaries

    def __init__(
        self,
        problem: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem, self.expected, self.hint = problem, expected, hint
        self.path, self.line, self.record, self.field = path, line, record, field
        super().__init__(self._compose())

    def __str__(self) -> str:
        # Recomposed on demand so that a location added later (at()) shows up.
        return self._compose()

    def location(self) -> str:
        """'file.jsonl, line 7' / 'file.json, record 3 (line 12)' / '<Dataset>, record 3'."""
        parts = [self.path] if self.path else []
        if self.record is not None and self.line is not None and self.record != self.line:
            parts.append(f"record {self.record} (line {self.line})")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        elif self.record is not None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def _compose(self) -> str:
        where = self.location()
        text = f"{where}: {self.problem}" if where else self.problem
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return text

    def at(self, path: str | None = None, line: int | None = None,
           record: int | None = None) -> DataError:
        """Fill in the location (keeping parts already set); returns self: `raise e.at(...)`."""
        self.path = self.path or path
        self.line = self.line if self.line is not None else line
        self.record = self.record if self.record is not None else record
        self.args = (self._compose(),)
        return self


class DataFormatError(DataError, ValueError):
    """The data exists but is not valid instruction data (the common case)."""

    kind = "invalid data"


class MalformedJSONError(DataFormatError):
    """A line (JSONL) or the file (JSON) is not valid JSON."""

    kind = "malformed JSON"


class EncodingError(DataFormatError):
    """The bytes are not UTF-8; names the line and byte offset of the first bad byte."""

    kind = "not UTF-8"


class EmptyDatasetError(DataFormatError):
    """The file or dataset holds no records (or every record was skipped)."""

    kind = "empty dataset"


class UnknownFormatError(DataFormatError):
    """The record keys match none of the known formats, or `format=` names no known format."""

    kind = "unknown format"


class MissingFieldError(DataFormatError):
    """A required key is absent (or null, which is how `datasets` fills a missing key)."""

    kind = "missing field"


class WrongTypeError(DataFormatError):
    """A value has the wrong type, e.g. a number where text is expected."""

    kind = "wrong type"


class UnknownRoleError(DataFormatError):
    """A turn's role is not one the format allows."""

    kind = "unknown role"


class EmptyContentError(DataFormatError):
    """A turn's text is empty or whitespace only (an empty assistant turn teaches silence)."""

    kind = "empty turn"


class TurnOrderError(DataFormatError):
    """Turns in an impossible order: system not first, not ending with assistant, no alternation."""

    kind = "turn order"


class MultiTurnError(DataFormatError):
    """A multi-turn conversation was asked for in a single-turn form (Alpaca)."""

    kind = "multi-turn"


class DataSourceError(DataError, ValueError):
    """The source itself cannot be read: unsupported file type, hub load failure, bad argument."""

    kind = "bad source"


class DataFileNotFoundError(DataError, FileNotFoundError):
    """The data file does not exist."""

    kind = "file not found"


@dataclass(frozen=True)
class Skip:
    """One record that strict=False skipped, and why (str() gives file:line:field: reason)."""

    path: str  # file, hub id or "<Dataset>"
    line: int | None  # 1-based line in the file (None for datasets / in-memory records)
    record: int | None  # 1-based record number
    field: str | None  # offending field, e.g. "output"; None when the whole record is bad
    kind: str  # short category, e.g. "missing field" (see DataError.kind)
    reason: str  # what was wrong and what was expected

    @classmethod
    def from_error(cls, err: DataError) -> Skip:
        """Turn a located error into a skip entry."""
        reason = err.problem + (f"; expected {err.expected}" if err.expected else "")
        return cls(err.path or "?", err.line, err.record, err.field, err.kind, reason)

    def __str__(self) -> str:
        where = str(self.line) if self.line is not None else f"record {self.record}"
        return f"{self.path}:{where}:{self.field or '-'}: {self.reason}"


def describe(value: Any) -> str:
    """Short type-and-value description for error messages, e.g. "int 42" or "null"."""
    if value is None:
        return "null"
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{type(value).__name__} {shown}"
