"""helpers.io: atomic writes and reading the kit's own JSONL files back."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from helpers.io import file_sha256, read_jsonl, write_json, write_jsonl


def test_jsonl_round_trip_keeps_order_and_non_ascii(tmp_path):
    records = [{"id": 2, "text": "Grüße"}, {"id": 1, "text": "naïve"}]
    path = write_jsonl(records, tmp_path / "sub" / "r.jsonl")
    assert read_jsonl(path) == records
    assert "Grüße" in path.read_text(encoding="utf-8")  # readable, not \\u-escaped


def test_written_files_are_world_readable_and_leave_no_temp_files(tmp_path):
    path = write_json({"a": 1}, tmp_path / "a.json")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train\.jsonl not found: run the builder"):
        read_jsonl(tmp_path / "train.jsonl", "run the builder")


def test_bad_line_is_named_by_file_and_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2,\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"r\.jsonl:3: invalid JSON"):
        read_jsonl(path)


def test_file_sha256_streams_to_the_digest_of_the_whole_file(tmp_path):
    data = os.urandom((1 << 20) * 2 + 123)  # more than one 1 MiB block, not a multiple of it
    path = tmp_path / "weights.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
