"""helpers.data loading: every format and source into the canonical messages form."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.data import (
    FORMATS,
    DataSkipWarning,
    DataSourceError,
    EmptyDatasetError,
    LoadResult,
    MalformedJSONError,
    MissingFieldError,
    UnknownFormatError,
    UnknownRoleError,
    detect_format,
    load,
    load_hub,
    save_jsonl,
    to_canonical,
)

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def user_assistant(q: str, a: str) -> list[dict]:
    return [{"role": "user", "content": q}, {"role": "assistant", "content": a}]


def test_alpaca_json_array_to_canonical():
    result = load(FIXTURES / "alpaca.json")
    assert result.format == "alpaca" and len(result) == 3 and not result.skipped
    assert result[0] == {"messages": user_assistant(
        "Name the colour of the sky on a clear day.", "Blue."), "id": "a1"}
    # A non-empty input is appended to the instruction after a blank line.
    assert result[1]["messages"][0]["content"] == "Count the words.\n\nAna walked to the market."
    assert result[2]["messages"][0] == {"role": "system", "content": "You are a polite assistant."}


def test_sharegpt_jsonl_maps_roles_and_keeps_multi_turn():
    result = load(FIXTURES / "sharegpt.jsonl")
    assert result.format == "sharegpt"
    assert [m["role"] for m in result[0]["messages"]] == ["system", "user", "assistant"]
    assert [m["content"] for m in result[1]["messages"]] == [
        "Name an animal.", "A fox.", "Another one?", "An owl."]
    # user/assistant are tolerated as ShareGPT roles too.
    assert result[2]["messages"] == user_assistant("Spell cat.", "c-a-t")
    assert [r["id"] for r in result] == ["s1", "s2", "s3"]


def test_messages_jsonl_keeps_generator_extras_verbatim():
    raw = [json.loads(line) for line in (FIXTURES / "messages.jsonl").read_text().splitlines()
           if line.strip()]
    result = load(FIXTURES / "messages.jsonl")  # file ends with a blank line: ignored
    assert result.format == "messages"
    assert result.records == raw
    assert result[1]["facts"] == ["lemons are yellow"] and result[1]["split"] == "eval"


def test_prompt_completion_strings_and_message_lists():
    result = load(FIXTURES / "prompt_completion.jsonl")
    assert result.format == "prompt_completion"
    assert result[0] == {"messages": user_assistant("Translate to French: cat", "chat")}
    assert [m["role"] for m in result[1]["messages"]] == ["system", "user", "assistant"]
    assert result[1]["id"] == "pc2"


def test_generator_records_round_trip_through_save_jsonl(tmp_path):
    records = [{"messages": user_assistant(f"q{i}", f"a{i}"), "id": f"t-{i}", "family": "copy",
                "split": "train", "answer": f"a{i}"} for i in range(5)]
    path = save_jsonl(records, tmp_path / "out" / "tasks.jsonl")
    assert load(path).records == records


@pytest.mark.parametrize("fmt, record", [
    ("alpaca", {"instruction": "i", "output": "o"}),
    ("sharegpt", {"conversations": []}),
    ("messages", {"messages": [], "id": 1}),
    ("prompt_completion", {"prompt": "p", "completion": "c"}),
    (None, {"question": "q", "answer": "a"}),
    (None, {"messages": [], "instruction": "i"}),  # ambiguous: two formats' keys
    (None, ["not", "a", "dict"]),
])
def test_detect_format(fmt, record):
    assert detect_format(record) == fmt


def test_forced_format_overrides_detection():
    record = {"prompt": "p", "completion": "c", "instruction": "not alpaca"}
    with pytest.raises(UnknownFormatError, match="match several formats"):
        load([record])  # ambiguous without format=
    result = load([record], format="prompt_completion")
    assert result.format == "prompt_completion"
    assert result[0] == {"messages": user_assistant("p", "c"), "instruction": "not alpaca"}
    with pytest.raises(MissingFieldError, match="field 'messages'"):
        load([record], format="messages")


FIXTURE_OF = {"messages": "messages.jsonl", "sharegpt": "sharegpt.jsonl",
              "alpaca": "alpaca.json", "prompt_completion": "prompt_completion.jsonl"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_can_be_forced(fmt):
    assert load(FIXTURES / FIXTURE_OF[fmt], format=fmt).format == fmt


def test_json_data_wrapper_and_bom(tmp_path):
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"data": [{"prompt": "p", "completion": "c"}]}, indent=2))
    assert load(wrapped)[0]["messages"] == user_assistant("p", "c")
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps({"prompt": "p", "completion": "c"}).encode())
    assert len(load(bom)) == 1


def test_extra_turn_keys_kept_but_null_ones_dropped():
    record = {"messages": [{"role": "user", "content": "q", "name": None},
                           {"role": "assistant", "content": "a", "weight": 1}]}
    assert to_canonical(record)["messages"] == [
        {"role": "user", "content": "q"}, {"role": "assistant", "content": "a", "weight": 1}]


def test_load_result_api(tmp_path):
    result = load(FIXTURES / "sharegpt.jsonl")
    assert isinstance(result, LoadResult) and len(list(result)) == len(result) == 3
    assert result.source.endswith("sharegpt.jsonl")
    assert result.summary().endswith("3 records (sharegpt format), none skipped")


def test_datasets_dataset_and_datasetdict():
    datasets = pytest.importorskip("datasets")
    rows = [{"instruction": f"i{k}", "input": None, "output": f"o{k}", "id": k} for k in range(3)]
    ds = datasets.Dataset.from_list(rows)
    result = load(ds)
    assert result.source == "<Dataset>" and result.format == "alpaca"
    assert result[2] == {"messages": user_assistant("i2", "o2"), "id": 2}
    dd = datasets.DatasetDict({"train": ds, "test": ds.select([0])})
    test_split = load(dd, split="test")
    assert len(test_split) == 1 and test_split.source == "<DatasetDict>[test]"
    with pytest.raises(DataSourceError, match="split= one of: train, test"):
        load(dd)  # two splits and no split=: refuse to guess


def test_datasets_null_fill_is_a_missing_field():
    """datasets fills a key missing from one row with None: that must not pass silently."""
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_list([{"instruction": "i", "output": "o"}, {"instruction": "j"}])
    with pytest.raises(MissingFieldError) as info:
        load(ds)
    assert (info.value.record, info.value.field) == (2, "output")
    assert "<Dataset>, record 2, field 'output': missing (or null)" in str(info.value)


def test_load_dataset_json_builder_path(tmp_path):
    """The hub-id path is datasets.load_dataset(id, split=...); the json builder exercises it."""
    pytest.importorskip("datasets")
    src = FIXTURES / "messages.jsonl"
    result = load("json", data_files=str(src), cache_dir=str(tmp_path / "cache"))
    assert result.source == "json" and result.format == "messages"
    # datasets gives every row every column, null where the row lacked it; extras stay verbatim.
    assert result[0]["facts"] is None
    assert [{k: v for k, v in r.items() if v is not None} for r in result] == load(src).records
    ds = load_hub("json", split="train", data_files=str(src), cache_dir=str(tmp_path / "c2"))
    assert ds.num_rows == 2


def test_unreachable_hub_id_is_a_clear_error(monkeypatch):
    datasets = pytest.importorskip("datasets")
    import huggingface_hub.constants

    # Offline mode makes the failure immediate instead of a ~20 s network retry loop.
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(DataSourceError) as info:
        load("nobody/no-such-dataset")
    message = str(info.value)
    assert message.startswith("nobody/no-such-dataset: datasets.load_dataset failed")
    assert "Offline? Use a local .json/.jsonl file" in message


def mixed_file(tmp_path) -> Path:
    lines = [
        json.dumps({"instruction": "i1", "output": "o1"}),
        "{not json",
        json.dumps({"instruction": "i3"}),
        "",
        json.dumps({"instruction": "i5", "output": "o5"}),
        json.dumps({"instruction": "i6", "output": 6}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_lenient_mode_skips_and_reports_each_bad_record(tmp_path):
    path = mixed_file(tmp_path)
    with pytest.warns(DataSkipWarning) as caught:
        result = load(path, strict=False)
    assert [r["messages"][0]["content"] for r in result] == ["i1", "i5"]
    assert [(s.line, s.field, s.kind) for s in result.skipped] == [
        (2, None, "malformed JSON"), (3, "output", "missing field"), (6, "output", "wrong type")]
    assert str(result.skipped[1]).startswith(f"{path}:3:output: missing (or null)")
    assert result.skip_counts() == {"malformed JSON": 1, "missing field": 1, "wrong type": 1}
    summary = result.summary()
    assert "2 records (alpaca format), 3 skipped" in summary and f"{path}:6:output:" in summary
    (warning,) = caught
    text = str(warning.message)
    assert "\n" not in text and "3 skipped" in text and f"first: {path}:2:-:" in text


def test_lenient_mode_detects_format_past_bad_first_line(tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_text('oops\n{"prompt": "p", "completion": "c"}\n')
    result = load(path, strict=False, warn=False)
    assert result.format == "prompt_completion" and len(result) == 1 and len(result.skipped) == 1


def test_strict_mode_stops_at_the_first_bad_record(tmp_path):
    with pytest.raises(MalformedJSONError) as info:
        load(mixed_file(tmp_path))
    assert "mixed.jsonl, line 2" in str(info.value)


def test_lenient_mode_with_nothing_valid_raises(tmp_path):
    path = tmp_path / "all_bad.jsonl"
    path.write_text('{"instruction": "x"}\n{"instruction": "y", "output": ""}\n')
    with pytest.raises(EmptyDatasetError, match=r"all 2 records were skipped; first: .*all_bad"):
        load(path, strict=False, warn=False)
    path.write_text("nope\nnope either\n")
    with pytest.raises(EmptyDatasetError, match="none of the 2 records could be read"):
        load(path, strict=False, warn=False)


def test_lenient_mode_still_validates_roles():
    rows = [{"messages": user_assistant("q", "a")},
            {"messages": [{"role": "robot", "content": "x"}]}]
    with pytest.raises(UnknownRoleError):
        load(rows)
    result = load(rows, strict=False, warn=False)
    assert len(result) == 1 and result.skipped[0].field == "messages[0].role"
    assert str(result.skipped[0]).startswith("<records>:record 2:messages[0].role: unknown role")


def test_source_kinds_that_are_refused_or_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load(tmp_path / "no_suffix_here")  # a Path is always a local file, never a hub id
    with pytest.raises(DataSourceError, match="cannot load from a int; expected a file path"):
        load(42)
    with pytest.raises(DataSourceError, match="a folder cannot be read here"):
        load(tmp_path)


def test_save_jsonl_accepts_a_load_result(tmp_path):
    result = load(FIXTURES / "alpaca.json")
    path = save_jsonl(result, tmp_path / "alpaca_canonical.jsonl")
    assert len(path.read_text().splitlines()) == 3
    assert load(path).records == result.records


def test_import_is_cheap():
    """`import helpers.data` must not pull in datasets or torch (notebooks import it early)."""
    code = "import sys, helpers.data; print(sorted({'datasets', 'torch'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_arguments_that_would_be_ignored_are_refused():
    with pytest.raises(DataSourceError, match=r"alpaca.json: split='test' given; expected split="):
        load(FIXTURES / "alpaca.json", split="test")
    with pytest.raises(DataSourceError, match=r"load_dataset arguments \['data_files'\] given"):
        load([{"prompt": "p", "completion": "c"}], data_files="x.jsonl")


def test_bundled_split_reads_both_datasets_and_names_what_is_missing(tmp_path):
    from helpers.data import bundled_split

    assert bundled_split("instructions", "test_seen")[0]["messages"]
    assert bundled_split("domain", "test")[0]["messages"]
    with pytest.raises(FileNotFoundError, match=r"holds the splits \[.*'test_seen'.*\]: pick one"):
        bundled_split("instructions", "test_sene")
    with pytest.raises(FileNotFoundError, match="build it with `python -m helpers.build.tasks build`"):
        bundled_split("instructions", "train", data_dir=tmp_path)
    with pytest.raises(ValueError, match=r"use one of \['domain', 'instructions'\]"):
        bundled_split("tasks", "train")
