"""Find (and optionally redact) personal data and secrets in a dataset before training on it.

A fine-tuned model can reproduce strings from its training data verbatim, so an e-mail
address, phone number, card number, IP address or API key in the data is a leak waiting to
happen. `scan(records)` reports every hit: which record (index and id), which field
(e.g. "messages[1].content"), what kind, and a masked preview (the report itself must not
leak what it found). `redact(records)` returns a copy with hits replaced by [EMAIL], [PHONE],
[CARD], [IP] or [API_KEY], and the report. Record `report.summary()` in the run's lineage
with `run.record_pii(report)`.

Detectors are regular expressions plus a validation step each, tuned for few false alarms:
card numbers must pass the Luhn checksum, IPv4 octets must be <= 255, IPv6 must parse, phone
numbers need phone-like structure (a + prefix, an (area) code, 3-3-4 groups, or -/. groups),
long tokens must look random (Shannon entropy) to count as keys. It is a safety net, not a
guarantee: names and street addresses are not detected.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from helpers.tables import Table

KINDS = ("api_key", "email", "card", "ip", "phone")  # also the order overlaps are resolved in
PLACEHOLDERS = {"email": "[EMAIL]", "phone": "[PHONE]", "card": "[CARD]", "ip": "[IP]",
                "api_key": "[API_KEY]"}

_EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,}\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?!\d)")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Za-z:])")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d ().-]{6,22}\d(?![\w])")
_NANP = re.compile(r"^\(?\d{3}\)?[ .-]?\d{3}[ .-]\d{4}$")  # 555-123-4567, (555) 123-4567
_KEY_PATTERNS = (
    r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}",  # OpenAI / Anthropic style secret keys
    r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",  # AWS access key ids
    r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", r"\bgithub_pat_[A-Za-z0-9_]{22,}\b",  # GitHub tokens
    r"\bhf_[A-Za-z0-9]{30,}\b",  # Hugging Face tokens
    r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b",  # Slack tokens
    r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API keys
)
_KEYS = re.compile("|".join(_KEY_PATTERNS))
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{32,}={0,2}(?![A-Za-z0-9+/_=-])")


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies (random digits: 1 in 10)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def entropy(text: str) -> float:
    """Shannon entropy in bits per character (random hex ≈ 4, random base64 ≈ 5+)."""
    counts, n = Counter(text), len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _is_card(s: str) -> bool:
    digits = re.sub(r"\D", "", s)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits)


def _is_ipv4(s: str) -> bool:
    return all(int(part) <= 255 for part in s.split("."))


def _is_ipv6(s: str) -> bool:
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return len([g for g in s.split(":") if g]) >= 3  # "d::" in "std::x" is no address


def _is_phone(s: str) -> bool:
    digits = len(re.sub(r"\D", "", s))
    if s.startswith("+"):
        return 8 <= digits <= 15
    if not 9 <= digits <= 15:
        return False
    if re.search(r"\(\d{1,4}\)", s) or _NANP.match(s):
        return True
    # Groups joined by - or . (no spaces: "12 34 56 78 90" is more often a list of numbers).
    return " " not in s and len(re.findall(r"[.-]", s)) >= 2


def _is_key_like(s: str) -> bool:
    core = s.rstrip("=")
    if re.fullmatch(r"[0-9a-fA-F]+", core):
        return entropy(core) >= 3.0
    mixed = all(re.search(p, core) for p in (r"[a-z]", r"[A-Z]", r"\d"))
    return mixed and entropy(core) >= 4.0


_DETECTORS: dict[str, list[tuple[re.Pattern, Callable[[str], bool]]]] = {
    "api_key": [(_KEYS, lambda s: True), (_LONG_TOKEN, _is_key_like)],
    "email": [(_EMAIL, lambda s: True)],
    "card": [(_CARD, _is_card)],
    "ip": [(_IPV4, _is_ipv4), (_IPV6, _is_ipv6)],
    "phone": [(_PHONE, _is_phone)],
}


def find_in_text(text: str, kinds: tuple[str, ...] = KINDS,
                 allow: frozenset[str] = frozenset()) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) hits in one string, in text order.

    allow: exact strings that are fine to keep (e.g. a public support address); they still
    occupy their span, so a part of them is not reported as another kind.
    """
    taken: list[tuple[int, int, str]] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        for pattern, valid in _DETECTORS[kind]:
            for m in pattern.finditer(text):
                s, e = m.span()
                if valid(m.group()) and not any(s < te and ts < e for ts, te, _ in taken):
                    taken.append((s, e, kind))
    return sorted(hit for hit in taken if text[hit[0]:hit[1]] not in allow)


def mask(value: str, kind: str) -> str:
    """A preview that shows the shape but not the secret: j***@e***.com, ************1111."""
    if kind == "email":
        local, _, domain = value.partition("@")
        host, _, tld = domain.rpartition(".")
        return f"{local[:1]}***@{host[:1]}***.{tld}"
    if kind == "card":
        digits = re.sub(r"\D", "", value)
        return "*" * (len(digits) - 4) + digits[-4:]
    # Show at most a quarter of the value (first chars say which kind of key it is).
    head = max(1, min(4 if kind == "api_key" else 2, len(value) // 4))
    tail = min(2, len(value) // 6)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


@dataclass(frozen=True)
class Finding:
    """One hit: where it is and what it looks like (masked)."""

    record: int  # 0-based index of the record in the dataset
    id: Any  # the record's "id" field, if it has one
    field: str  # path to the string, e.g. "messages[1].content"
    kind: str  # "email", "phone", "card", "ip" or "api_key"
    start: int  # character offsets of the hit inside that string
    end: int
    preview: str  # masked form of the hit (never the hit itself)


@dataclass
class PiiReport:
    """What scan() or redact() found in a dataset."""

    records: int  # how many records were scanned
    fingerprint: str  # helpers.data.fingerprint of the scanned records
    kinds: tuple[str, ...]  # the kinds looked for
    findings: list[Finding] = field(default_factory=list)  # every hit, in record order
    redacted_fingerprint: str | None = None  # fingerprint of redact()'s output, if redacted
    allowed: int = 0  # how many allow-listed values were exempt from reporting

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(f.kind for f in self.findings)
        return {k: found.get(k, 0) for k in self.kinds}

    @property
    def total(self) -> int:
        return len(self.findings)

    @property
    def records_with_pii(self) -> int:
        return len({f.record for f in self.findings})

    def summary(self) -> dict:
        """Counts + fingerprints: what a run's lineage records (no previews, no offsets)."""
        return {"records": self.records, "fingerprint": self.fingerprint,
                "redacted_fingerprint": self.redacted_fingerprint, "counts": self.counts,
                "total": self.total, "records_with_pii": self.records_with_pii,
                "allowed_values": self.allowed}

    def table(self, limit: int = 50) -> Table:
        rows = [[f.record, f.id, f.field, f.kind, f.preview] for f in self.findings[:limit]]
        return Table(["record", "id", "field", "kind", "preview"], rows)

    def to_dict(self) -> dict:
        return {**self.summary(), "findings": [asdict(f) for f in self.findings]}

    def __str__(self) -> str:
        counts = ", ".join(f"{k}: {n}" for k, n in self.counts.items())
        return (f"PII scan of {self.records} records: {self.total} hit(s) in "
                f"{self.records_with_pii} record(s) ({counts})")

    def _repr_markdown_(self) -> str:
        return str(self) + ("\n\n" + self.table().to_markdown() if self.findings else "")


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, text) for every string inside a record."""
    if isinstance(value, str):
        yield path or "(text)", value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def _rebuild(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _rebuild(v, fn) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rebuild(v, fn) for v in value]
    return value


def _check_kinds(kinds: tuple[str, ...] | None) -> tuple[str, ...]:
    kinds = tuple(kinds or KINDS)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown PII kind(s) {unknown}; choose from {', '.join(KINDS)}")
    return kinds


def scan(records: Any, kinds: tuple[str, ...] | None = None,
         allow: tuple[str, ...] | list[str] = ()) -> PiiReport:
    """Scan every string of every record (messages form, plain dicts or strings).

    allow: exact values known to be public and wanted in the data (e.g. the company's support
    address, which the model *should* learn); everything else found is reported.
    """
    from helpers.data import fingerprint

    records, kinds, allowed = list(records), _check_kinds(kinds), frozenset(allow)
    findings = []
    for i, record in enumerate(records):
        rid = record.get("id") if isinstance(record, dict) else None
        for path, text in _strings(record):
            findings += [Finding(i, rid, path, kind, s, e, mask(text[s:e], kind))
                         for s, e, kind in find_in_text(text, kinds, allowed)]
    return PiiReport(len(records), fingerprint(records), kinds, findings, allowed=len(allowed))


def redact_text(text: str, kinds: tuple[str, ...] = KINDS,
                allow: frozenset[str] = frozenset()) -> str:
    """`text` with every hit replaced by its placeholder, e.g. "[EMAIL]"."""
    for s, e, kind in reversed(find_in_text(text, kinds, allow)):
        text = text[:s] + PLACEHOLDERS[kind] + text[e:]
    return text


def redact(records: Any, kinds: tuple[str, ...] | None = None,
           allow: tuple[str, ...] | list[str] = ()) -> tuple[list, PiiReport]:
    """(copy of records with hits replaced by placeholders, report of what was replaced)."""
    from helpers.data import fingerprint

    records, kinds, allowed = list(records), _check_kinds(kinds), frozenset(allow)
    report = scan(records, kinds, allow)
    cleaned = [_rebuild(r, lambda t: redact_text(t, kinds, allowed)) for r in records]
    report.redacted_fingerprint = fingerprint(cleaned)
    return cleaned, report
