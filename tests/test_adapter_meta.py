"""helpers.adapter_meta: the one reader/writer of tunelab.json."""

from __future__ import annotations

import os
import stat

import pytest

from helpers.adapter_meta import META_FILE, AdapterMetaError, read_meta, write_meta


def test_round_trip_keeps_values_and_non_ascii(tmp_path):
    meta = {"stage": "domain", "seed": 3, "note": "Grüße", "quick_settings": {"steps": 12}}
    path = write_meta(tmp_path / "adapter", meta)
    assert path == tmp_path / "adapter" / META_FILE
    assert read_meta(tmp_path / "adapter") == meta


def test_written_file_is_not_left_private_and_no_temp_file_remains(tmp_path):
    write_meta(tmp_path, {"a": 1})
    assert stat.S_IMODE(os.stat(tmp_path / META_FILE).st_mode) == 0o644  # not mkstemp's 0600
    assert [p.name for p in tmp_path.iterdir()] == [META_FILE]


def test_rewrite_replaces_the_whole_file(tmp_path):
    write_meta(tmp_path, {"a": 1, "long": "x" * 1000})
    write_meta(tmp_path, {"b": 2})
    assert read_meta(tmp_path) == {"b": 2}


def test_missing_file_reads_as_empty(tmp_path):
    assert read_meta(tmp_path) == {}


@pytest.mark.parametrize("text, says", [('{"stage": "domain",', "is not valid JSON"),
                                        ("[1, 2]", "holds a JSON list")])
def test_damaged_file_error_names_the_file(tmp_path, text, says):
    (tmp_path / META_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(AdapterMetaError) as err:
        read_meta(tmp_path)
    assert str(tmp_path / META_FILE) in str(err.value) and says in str(err.value)
    assert "save the adapter again" in str(err.value)


def test_non_dict_metadata_is_refused_before_writing(tmp_path):
    with pytest.raises(TypeError, match="must be a dict"):
        write_meta(tmp_path, ["stage", "domain"])
    assert not (tmp_path / META_FILE).exists()
