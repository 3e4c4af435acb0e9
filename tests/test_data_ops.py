"""helpers.data operations on canonical records: Alpaca export, dedupe, split, leakage, hash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from helpers.data import (
    DataFormatError,
    MissingFieldError,
    MultiTurnError,
    WrongTypeError,
    canonical_json,
    conversation_text,
    dedupe,
    find_leakage,
    fingerprint,
    group_split,
    load,
    normalize_text,
    prompt_text,
    to_alpaca,
    to_canonical,
)

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def rec(q: str, a: str, **extra) -> dict:
    return {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": a}],
            **extra}


TINY = [rec("Reverse: lamp", "pmal", id="r1", family="reverse"),
        rec("Colour of a lemon?", "Yellow", id="c1", family="colour", answer="Yellow")]
# sha256 of the documented canonical JSON lines of TINY. If this changes, every recorded
# dataset fingerprint in every run registry changes too: do not update it casually.
TINY_FINGERPRINT = "8958bf105652e45fe8e6381d39229137afa9d39a7fcb92c5d12943e802aa03df"


# --- to_alpaca / round trips -------------------------------------------------------------

def test_to_alpaca_single_turn_with_system_and_extras():
    record = {"messages": [{"role": "system", "content": "Be brief."},
                           {"role": "user", "content": "Hi?"},
                           {"role": "assistant", "content": "Hi."}],
              "id": "x", "family": "greet"}
    assert to_alpaca(record) == {"instruction": "Hi?", "input": "", "output": "Hi.",
                                 "system": "Be brief.", "id": "x", "family": "greet"}


def test_canonical_alpaca_canonical_round_trip_is_exact():
    for record in load(FIXTURES / "messages.jsonl").records + TINY:
        assert to_canonical(to_alpaca(record)) == record


def test_alpaca_canonical_alpaca_round_trip():
    source = json.loads((FIXTURES / "alpaca.json").read_text())
    back = [to_alpaca(r) for r in load(FIXTURES / "alpaca.json")]
    # Exact when input is empty; a non-empty input is merged into the instruction.
    assert back[0] == source[0] and back[2] == {**source[2], "input": ""}
    assert back[1]["instruction"] == "Count the words.\n\nAna walked to the market."
    assert back[1]["input"] == "" and back[1]["output"] == source[1]["output"]


def test_to_alpaca_refuses_multi_turn():
    multi = load(FIXTURES / "sharegpt.jsonl")[1]
    with pytest.raises(MultiTurnError, match=r"record \(id 's2'\) has 2 user/assistant exchanges"):
        to_alpaca(multi)


def test_to_alpaca_refuses_what_alpaca_cannot_hold():
    with pytest.raises(DataFormatError, match="field 'output'.*would overwrite Alpaca fields"):
        to_alpaca(rec("q", "a", output="metadata"))
    weighted = rec("q", "a")
    weighted["messages"][1]["weight"] = 0
    with pytest.raises(DataFormatError, match=r"field 'messages\[1\]'.*extra keys \['weight'\]"):
        to_alpaca(weighted)
    with pytest.raises(MissingFieldError, match="field 'messages'"):
        to_alpaca({"instruction": "i", "output": "o"})  # already Alpaca, not canonical


# --- normalisation, dedupe ---------------------------------------------------------------

def test_normalized_texts():
    assert normalize_text("  Hello\n\tWORLD  ß ") == "hello world ss"
    r = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q  1"},
                      {"role": "assistant", "content": "A"}, {"role": "user", "content": "Q2"},
                      {"role": "assistant", "content": "B"}]}
    assert prompt_text(r) == "system: s\nuser: q 1\nassistant: a\nuser: q2"
    assert conversation_text(r) == prompt_text(r) + "\nassistant: b"
    with pytest.raises(MissingFieldError, match="record 4, field 'messages'"):
        conversation_text({"instruction": "i"}, index=3)


def test_dedupe_keeps_first_and_reports_removed():
    records = [rec("Hello  World", "Hi", id=0), rec("other", "x", id=1),
               rec("hello world", " hi", id=2), rec("Hello World", "Different", id=3),
               rec("OTHER", "X", id=4)]
    result = dedupe(records)
    assert [r["id"] for r in result] == [0, 1, 3] and len(result) == 3
    assert [(d.index, d.kept_index, d.id, d.kept_id) for d in result.removed] == [
        (2, 0, 2, 0), (4, 1, 4, 1)]
    assert result.summary() == "kept 3 of 5 records; removed 2 duplicates: #2 (of #0), #4 (of #1)"
    assert dedupe(TINY).removed == []


def test_dedupe_distinguishes_turn_boundaries():
    a = rec("one two", "three")
    b = rec("one", "two three")
    assert len(dedupe([a, b])) == 2


# --- group split -------------------------------------------------------------------------

def families(n_groups: int = 10, sizes=(1, 2, 3, 4, 5)) -> list[dict]:
    return [rec(f"q{g}-{k}", "a", id=f"{g}-{k}", family=f"fam{g}")
            for g in range(n_groups) for k in range(sizes[g % len(sizes)])]


def test_group_split_keeps_groups_whole_and_is_deterministic():
    records = families()
    first = group_split(records, key="family", eval_fraction=0.2, seed=0)
    again = group_split(list(records), key="family", eval_fraction=0.2, seed=0)
    assert [r["id"] for r in first.eval] == [r["id"] for r in again.eval]
    train_fams = {r["family"] for r in first.train}
    eval_fams = {r["family"] for r in first.eval}
    assert not train_fams & eval_fams and train_fams | eval_fams == {f"fam{g}" for g in range(10)}
    assert set(first.eval_groups) == eval_fams and set(first.train_groups) == train_fams
    assert len(first.train) + len(first.eval) == len(records) == 30
    assert abs(len(first.eval) - 6) <= 2  # within half the typical group size of the target
    # Golden: the exact groups for seed 0 must not drift between Python versions or edits.
    assert first.eval_groups == ["fam7", "fam8"]
    assert first.summary() == ("split by 'family' (seed 0): train 23 records / 8 groups, "
                               "eval 7 records / 2 groups (23% eval)")


def test_group_split_independent_of_record_order_and_seed_sensitive():
    records = families()
    forward = group_split(records, seed=1)
    backward = group_split(records[::-1], seed=1)
    assert sorted(forward.eval_groups) == sorted(backward.eval_groups)
    splits = {tuple(sorted(group_split(records, seed=s).eval_groups)) for s in range(6)}
    assert len(splits) > 1


def test_group_split_always_leaves_both_sides_non_empty():
    two = [rec("a", "b", family="x"), rec("c", "d", family="y"), rec("e", "f", family="y")]
    for fraction in (0.01, 0.5, 0.99):
        parts = group_split(two, eval_fraction=fraction, seed=0)
        assert parts.train and parts.eval


def test_group_split_errors():
    with pytest.raises(MissingFieldError, match="record 2, field 'family'"):
        group_split([rec("a", "b", family="x"), rec("c", "d")])
    with pytest.raises(WrongTypeError, match="field 'family': group value is list"):
        group_split([rec("a", "b", family=["x"])])
    with pytest.raises(ValueError, match="at least 2 groups"):
        group_split([rec("a", "b", family="x"), rec("c", "d", family="x")])
    with pytest.raises(ValueError, match="between 0 and 1"):
        group_split(TINY, eval_fraction=1.0)


# --- leakage -----------------------------------------------------------------------------

def test_find_leakage_by_prompt_reports_pairs_with_ids():
    train = [rec("What is 2+2?", "4", id="t0"), rec("Name a fox.", "Fox", id="t1")]
    evals = [rec("name a  FOX.", "A red fox", id="e0"), rec("New question", "x", id="e1"),
             rec("What is 2+2?", "4", id="e2")]
    leaks = find_leakage(train, evals)
    assert [(lk.a_index, lk.b_index, lk.a_id, lk.b_id, lk.by) for lk in leaks] == [
        (1, 0, "t1", "e0", "prompt"), (0, 2, "t0", "e2", "prompt")]
    assert leaks[0].text == "user: name a fox."
    whole = find_leakage(train, evals, by="conversation")
    assert [(lk.a_id, lk.b_id) for lk in whole] == [("t0", "e2")]  # different answer: not whole
    assert whole[0].text == "user: what is 2+2?\nassistant: 4"


def test_group_split_output_has_no_leakage():
    parts = group_split(families(), seed=0)
    assert find_leakage(parts.train, parts.eval) == []
    with pytest.raises(ValueError, match="expected 'prompt' or 'conversation'"):
        find_leakage(parts.train, parts.eval, by="answer")


# --- fingerprint -------------------------------------------------------------------------

def test_fingerprint_golden_and_documented_definition():
    assert fingerprint(TINY) == TINY_FINGERPRINT
    lines = "".join(json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                    + "\n" for r in TINY)
    assert hashlib.sha256(lines.encode("utf-8")).hexdigest() == TINY_FINGERPRINT


def test_fingerprint_sensitivity():
    reordered_keys = [dict(reversed(list(r.items()))) for r in TINY]
    assert fingerprint(reordered_keys) == TINY_FINGERPRINT  # key order inside a record: no
    assert fingerprint(TINY[::-1]) != TINY_FINGERPRINT  # record order: yes
    changed = [TINY[0], {**TINY[1], "answer": "yellow"}]
    assert fingerprint(changed) != TINY_FINGERPRINT  # any value: yes
    assert fingerprint(load(TINY)) == TINY_FINGERPRINT  # a LoadResult hashes like its records
    assert fingerprint([]) == hashlib.sha256(b"").hexdigest()


def test_fingerprint_rejects_non_json_values():
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    with pytest.raises(WrongTypeError, match="record 2: record is not plain JSON"):
        fingerprint([TINY[0], {"x": float("nan")}])
