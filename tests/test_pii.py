"""helpers.registry.pii: detection (with false-positive guards), masking, redaction, lineage."""

from __future__ import annotations

import copy

import pytest

from helpers.data import fingerprint, load
from helpers.domain import load_split
from helpers.paths import INSTRUCTIONS_DIR
from helpers.registry import Run, redact, scan
from helpers.registry.pii import KINDS, entropy, find_in_text, luhn_ok, mask, redact_text


def kinds_in(text: str) -> list[str]:
    return [kind for _, _, kind in find_in_text(text)]


@pytest.mark.parametrize("text, kind", [
    ("write to jane.doe+ml@example.co.uk today", "email"),
    ("call +44 20 7946 0958", "phone"),
    ("call (555) 123-4567", "phone"),
    ("call 555-123-4567.", "phone"),
    ("call 030-1234-5678", "phone"),
    ("visa 4111 1111 1111 1111", "card"),
    ("mc 5555-5555-5555-4444", "card"),
    ("amex 378282246310005", "card"),
    ("server 192.168.0.1.", "ip"),
    ("v6 2001:db8::8a2e:370:7334", "ip"),
    ("key sk-proj-Abc123def456GHI789jkl012", "api_key"),
    ("aws AKIAIOSFODNN7EXAMPLE", "api_key"),
    ("gh ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6", "api_key"),
    ("hf hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "api_key"),
    ("token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "api_key"),
    ("b64 dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5nIQ==", "api_key"),
])
def test_each_kind_is_found(text, kind):
    assert kinds_in(text) == [kind]


@pytest.mark.parametrize("text", [
    "card 4111 1111 1111 1112",  # fails the Luhn check
    "order 1234567890123",  # 13 digits, not Luhn-valid
    "zeros 0000 0000 0000 0000",  # Luhn-valid but a single repeated digit
    "ip 999.168.0.1 and version 1.2.3",
    "sort these: 12 34 56 78 90 11",  # a list of numbers, not a phone
    "on 2024-01-15 at 12:30:45, 160 GB for 5 dollars",
    "std::vector<int> and a::b",
    "a" * 40 + " " + "abcdefghij" * 4,  # long but not random
    "ThisIsAVeryLongCamelCaseIdentifierName",  # no digits: not key-like
    "user at example dot com",
])
def test_look_alikes_are_not_reported(text):
    assert kinds_in(text) == []


def test_helpers_luhn_entropy_and_masks():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    assert entropy("aaaa") == 0 and entropy("0123456789abcdef") == 4.0
    assert mask("jane.doe@example.com", "email") == "j***@e***.com"
    assert mask("4111 1111 1111 1111", "card") == "************1111"
    assert mask("AKIAIOSFODNN7EXAMPLE", "api_key") == "AKIA" + "*" * 14 + "LE"
    assert mask("10.0.0.1", "ip") == "10*****1"
    assert mask("abc", "phone") == "a**"


def test_scan_reports_record_id_field_kind_and_masked_preview():
    records = [
        {"id": "a", "messages": [{"role": "user", "content": "Hi"},
                                 {"role": "assistant", "content": "Mail ops@corp.example or "
                                  "call +1 415 555 0100."}]},
        {"id": "b", "instruction": "Store key AKIAIOSFODNN7EXAMPLE", "meta": {"ip": "10.1.2.3"}},
        "plain text with 4111-1111-1111-1111",
    ]
    report = scan(records)
    where = [(f.record, f.id, f.field, f.kind, f.preview) for f in report.findings]
    assert where == [
        (0, "a", "messages[1].content", "email", "o***@c***.example"),
        (0, "a", "messages[1].content", "phone", "+1***********00"),
        (1, "b", "instruction", "api_key", "AKIA**************LE"),
        (1, "b", "meta.ip", "ip", "10*****3"),
        (2, None, "(text)", "card", "************1111"),
    ]
    assert report.counts == {"api_key": 1, "email": 1, "card": 1, "ip": 1, "phone": 1}
    assert (report.total, report.records_with_pii, report.records) == (5, 3, 3)
    assert report.fingerprint == fingerprint(records)
    for secret in ("ops@corp.example", "AKIAIOSFODNN7EXAMPLE", "4111-1111-1111-1111"):
        assert secret not in str(report.to_dict()) and secret not in report.table().to_markdown()


def test_redact_replaces_hits_keeps_the_rest_and_records_both_fingerprints():
    records = [{"id": 1, "n": 3, "messages": [
        {"role": "user", "content": "I am bo@example.org, server 10.0.0.7"},
        {"role": "assistant", "content": "Noted."}]}]
    original = copy.deepcopy(records)
    cleaned, report = redact(records)
    assert records == original  # input untouched
    assert cleaned[0]["messages"][0]["content"] == "I am [EMAIL], server [IP]"
    assert cleaned[0]["n"] == 3 and cleaned[0]["messages"][1] == original[0]["messages"][1]
    assert report.fingerprint == fingerprint(records)
    assert report.redacted_fingerprint == fingerprint(cleaned)
    assert scan(cleaned).total == 0
    assert redact_text("key sk-abcdefghijklmnopqrstuvwxyz123456!") == "key [API_KEY]!"


def test_kinds_filter_and_unknown_kind():
    text = {"t": "bo@example.org 10.0.0.7"}
    assert scan([text], kinds=("ip",)).counts == {"ip": 1}
    with pytest.raises(ValueError, match=r"unknown PII kind\(s\) \['ssn'\]"):
        scan([text], kinds=("ssn",))


def test_bundled_data_golden_counts():
    """The instruction suite is clean; the domain set holds only the public support address."""
    for path in sorted(INSTRUCTIONS_DIR.glob("*.jsonl")):
        assert scan(load(path)).total == 0, path.name
    train = load_split("train")
    report = scan(train)
    assert report.counts == {"api_key": 0, "email": 12, "card": 0, "ip": 0, "phone": 0}
    (address,) = {f.preview for f in report.findings}
    assert address == "h***@n***.example"
    support = {r["facts"][0] for r in train if "email" in r["id"]}
    assert len(support) == 1 and scan(train, allow=tuple(support)).total == 0


def test_record_pii_puts_counts_and_fingerprint_in_run_lineage(tmp_path):
    train = load_split("train")
    run = Run.create(tmp_path, "scan", {"train": {}}, data={"train": train},
                     environment={"hardware": {}, "packages": {}})
    cleaned, report = redact(train)
    summary = run.record_pii(report, role="train")
    assert summary == run.meta["lineage"]["pii"]["train"]
    assert summary["counts"]["email"] == 12 and summary["matches_run_data"] is True
    assert summary["fingerprint"] == fingerprint(train)
    assert summary["redacted_fingerprint"] == fingerprint(cleaned)
    assert set(KINDS) == set(summary["counts"])
