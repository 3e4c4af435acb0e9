"""Tests for helpers.tasks: families, checkers, splits, determinism, card and committed files."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from helpers import paths, world
from helpers.build.tasks import SPLITS, BuildConfig, BuildError, build_splits, plan_splits
from helpers.build.tasks.__main__ import main
from helpers.build.tasks.lexicon import plural
from helpers.data import find_leakage, load, to_canonical
from helpers.tasks import (
    FAMILIES,
    HELD_OUT_FAMILIES,
    ScoringError,
    UnknownFamilyError,
    get_family,
    score,
    score_records,
    split_user_content,
)
from helpers.tasks.score import family_hits

# sha256 of train + test_seen + test_phrasing + test_unseen_family JSONL bytes (default config).
# If you changed a family on purpose: rebuild with `python -m helpers.build.tasks build`, commit the
# files, and paste the new value printed by the failing assertion.
GOLDEN_SHA256 = "e1beba0ed73acd7f072abac32d4e960f97e7cc7ca92ce153f903cef7bab6e225"


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict]]:
    return build_splits()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("instructions")
    assert main(["build", "--out", str(out)]) == 0
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in SPLITS:
        h.update((folder / f"{name}.jsonl").read_bytes())
    return h.hexdigest()


# --- families -----------------------------------------------------------------------------


def test_registry_has_enough_families_and_phrasings():
    names = [f.name for f in FAMILIES]
    assert len(names) >= 30 and len(set(names)) == len(names)
    for f in FAMILIES:
        assert len(f.phrasings) >= 4, f.name
        assert len(set(f.phrasings)) == len(f.phrasings), f"{f.name}: duplicate phrasing"
    assert set(HELD_OUT_FAMILIES) <= set(names) and len(HELD_OUT_FAMILIES) == 8
    assert len(names) - len(HELD_OUT_FAMILIES) >= 30


def test_every_family_has_exactly_one_generator_and_every_generator_a_family():
    """The learner-side families (helpers.tasks) and the builder's generators name the same set."""
    from helpers.build.tasks import generators

    families, makers = {f.name for f in FAMILIES}, set(generators.GENERATORS)
    assert not families - makers, f"task families without a generator: {sorted(families - makers)}"
    assert not makers - families, f"generators without a task family: {sorted(makers - families)}"
    generators.check_generators()
    # the builder checks the same before it draws, naming what is missing or extra
    with pytest.raises(generators.GeneratorRegistryError,
                       match=r"without an example generator: no_such_family .*"
                             r"generators without a task family: reverse_word"):
        generators.check_generators([n for n in families if n != "reverse_word"]
                                    + ["no_such_family"])
    with pytest.raises(generators.GeneratorRegistryError, match="'no_such_family' has no"):
        generators.generator("no_such_family")
    with pytest.raises(generators.GeneratorRegistryError, match="'add' has two example generators"):
        generators._merge(generators.generators_numbers, generators.generators_numbers)


def test_learner_families_carry_no_generator():
    """helpers.tasks.Family is what scoring needs; drawing examples is the builder's job."""
    from dataclasses import fields

    from helpers.tasks import Family

    assert [f.name for f in fields(Family)] == [
        "name", "description", "skill", "phrasings", "checker", "data_fields"]


def test_every_phrasing_renders_short_well_formed_prompts(splits):
    records = [r for recs in splits.values() for r in recs]
    used = {(r["family"], r["phrasing"]) for r in records}
    assert used == {(f.name, i) for f in FAMILIES for i in range(len(f.phrasings))}
    for r in records:
        user, answer = (m["content"] for m in r["messages"])
        instruction, data = split_user_content(user)
        assert "{" not in user and "}" not in user, r["id"]
        assert "\n" not in instruction and "\n" not in data, r["id"]
        assert len(user.split()) < 40, r["id"]
        assert answer == r["answer"] and 0 < len(answer.split()) <= 8, r["id"]


# Words the input templates add around world words ("Ana lives in Ashford and works at ...").
TEMPLATE_WORDS = {
    "the", "a", "an", "and", "near", "on", "at", "in", "to", "of", "over", "all", "day", "home",
    "next", "is", "has", "had", "lives", "works", "long", "weighs", "waited", "counted", "went",
    "visited", "stayed", "because",
}


def test_inputs_use_world_vocabulary_only(splits):
    """Every word of every input is a world word (or template glue): catches template typos."""
    known = set(TEMPLATE_WORDS)
    for group in (world.PEOPLE, world.PLACES, world.TOWNS, world.OBJECTS, world.ANIMALS,
                  world.FOODS, world.COLORS, world.SIZES, world.ADJECTIVES, world.VERBS_PAST,
                  world.DAYS, world.MONTHS, world.WEATHER, world.NUMBER_WORDS, world.UNITS):
        for item in group:
            known.update(item.lower().split())
    known.update(plural(w) for w in world.OBJECTS + world.ANIMALS + world.FOODS)
    for r in splits["test_seen"] + splits["test_unseen_family"]:
        if r["family"] in ("reverse_word", "uppercase"):
            continue  # their inputs are world words too, but the answers are not
        _, data = split_user_content(r["messages"][0]["content"])
        unknown = {w for w in re.findall(r"[A-Za-z]+", data) if w.lower() not in known}
        assert not unknown, (r["id"], unknown)


def test_plural_rules():
    words = ("cat", "fox", "mouse", "sheep", "deer", "brush", "cherry", "key")
    assert [plural(w) for w in words] == [
        "cats", "foxes", "mice", "sheep", "deer", "brushes", "cherries", "keys"]


# --- scoring ------------------------------------------------------------------------------


def _wrong(record: dict, family_answers: list[str]) -> str:
    """A wrong answer for `record` that is as close to right as the family allows."""
    fam, ans = get_family(record["family"]), record["answer"]
    items = ans.split(", ")
    if fam.checker == "number":
        return str(int(ans) + 1)
    if fam.checker == "yesno":
        return "no" if ans == "yes" else "yes"
    if fam.checker == "list":
        return ", ".join(items[::-1])
    if fam.checker == "set":
        return ", ".join(items[:-1])
    if fam.checker == "case":
        return ans.lower() if ans != ans.lower() else ans.upper()
    return next(a for a in family_answers if a.lower() != ans.lower())


def test_every_answer_passes_its_checker_and_wrong_answers_fail(splits):
    records = [r for recs in splits.values() for r in recs]
    answers: dict[str, list[str]] = {}
    for r in records:
        answers.setdefault(r["family"], []).append(r["answer"])
    for r in records:
        fam, ans = r["family"], r["answer"]
        assert score(fam, ans, ans) and score(fam, ans, f"  {ans}\n"), r["id"]
        assert not score(fam, ans, ""), r["id"]
        assert not score(fam, ans, f"{ans}\nand then some more text"), r["id"]
        assert not score(fam, ans, _wrong(r, answers[fam])), r["id"]


def test_each_checker_accepts_variants_and_rejects_near_misses():
    assert score("add", "12", "12.") and score("add", "12", "twelve") and score("add", "12", "'12'")
    assert not score("add", "12", "13") and not score("add", "12", "12 apples")
    assert score("make_list", "milk, cakes, rice", "rice, milk and cakes")
    assert not score("make_list", "milk, cakes, rice", "rice, milk")
    assert score("sort_alpha", "bean, green, plum", "bean, green and plum")
    assert not score("sort_alpha", "bean, green, plum", "green, bean, plum")
    assert score("contains_item", "yes", "Yes.") and score("contains_item", "no", "no, it is not")
    assert not score("contains_item", "yes", "no") and not score("contains_item", "yes", "yes or no")
    assert score("extract_where", "the market", "market")
    assert score("extract_where", "the market", "near the market")
    assert not score("extract_where", "the market", "the river")
    assert score("extract_town", "Ashford", "in Ashford")
    assert score("uppercase", "RED KITE", "RED KITE") and not score("uppercase", "RED KITE", "red kite")
    assert not score("capitalise", "The cat ran.", "the cat ran.")
    assert score("extract_who", "Ana", "ana") and not score("extract_who", "Ana", "Ana Ben")


def test_digits_checker_wants_the_digits_the_task_asks_for():
    """word_to_number asks for digits: copying the number word back is not an answer.

    Until 2026-12-07 it used the number checker, which reads "seventeen" as 17; the IT model
    copied the word and that was scored as zero-shot transfer (0.91 of a held-out family)."""
    assert get_family("word_to_number").checker == "digits"
    assert score("word_to_number", "17", "17") and score("word_to_number", "17", " 17.")
    assert not score("word_to_number", "17", "seventeen")
    assert not score("word_to_number", "17", "18") and not score("word_to_number", "17", "17 ducks")
    assert score("count_items", "3", "three")  # a count may still be written as a word


def test_score_records_accuracy_and_errors(splits):
    recs = [r for r in splits["test_seen"] if r["family"] in ("add", "next_day")][:40]
    assert Counter(r["family"] for r in recs) == {"add": 20, "next_day": 20}
    gens = [r["answer"] if (i % 4 and r["family"] == "add") or r["family"] == "next_day" else "0 0"
            for i, r in enumerate(recs)]
    acc = score_records(recs, gens)
    assert acc == {"add": 15 / 20, "next_day": 1.0}
    assert score_records(recs, {r["id"]: g for r, g in zip(recs, gens)}) == acc
    with pytest.raises(ScoringError, match="2 records but 1 generations"):
        score_records(recs[:2], ["x"])
    with pytest.raises(ScoringError, match="no generation"):
        score_records(recs[:2], {})
    no_answer = [recs[0], {"id": "x", "family": "add"}]
    with pytest.raises(ScoringError) as err:
        score_records(no_answer, ["1", "2"])
    assert str(err.value) == ("record 1 (id 'x') has no 'answer' field; "
                              "score records from data/instructions/*.jsonl")
    assert family_hits(recs, gens) == {"add": [bool(i % 4) for i in range(20)],
                                       "next_day": [True] * 20}  # the tally it counts with
    with pytest.raises(UnknownFamilyError, match="known families"):
        score("no_such_family", "a", "a")


# --- splits -------------------------------------------------------------------------------


def test_split_sizes_and_family_membership(splits):
    seen = {f.name for f in FAMILIES} - set(HELD_OUT_FAMILIES)
    for name in ("train", "test_seen", "test_phrasing"):
        assert {r["family"] for r in splits[name]} == seen, name
    assert {r["family"] for r in splits["test_unseen_family"]} == set(HELD_OUT_FAMILIES)
    assert 3000 <= len(splits["train"]) <= 5000
    assert Counter(r["family"] for r in splits["test_seen"]) == {f: 20 for f in seen}
    assert min(Counter(r["family"] for r in splits["train"]).values()) >= 100
    # >= 20 per family so a per-family accuracy has a usable interval; the three letter
    # families have no inputs left (149 words = 20 test_seen + 10 test_phrasing + 119 train).
    letters_used_up = {"reverse_word", "first_letter", "count_letters"}
    assert Counter(r["family"] for r in splits["test_phrasing"]) == {
        f: 10 if f in letters_used_up else 20 for f in seen}
    assert Counter(r["family"] for r in splits["test_unseen_family"]) == {
        f: 25 for f in HELD_OUT_FAMILIES}
    for name, recs in splits.items():
        assert all(r["split"] == name for r in recs)
    ids = [r["id"] for recs in splits.values() for r in recs]
    assert len(ids) == len(set(ids))


def test_held_out_phrasing_only_in_test_phrasing(splits):
    last = {f.name: len(f.phrasings) - 1 for f in FAMILIES}
    assert all(r["phrasing"] < last[r["family"]] for r in splits["train"] + splits["test_seen"])
    assert all(r["phrasing"] == last[r["family"]] for r in splits["test_phrasing"])
    train_prompts = {split_user_content(r["messages"][0]["content"])[0] for r in splits["train"]}
    for r in splits["test_phrasing"]:  # the held-out wording never occurs in training
        held = get_family(r["family"]).phrasings[-1].split("{")[0]
        assert held and not any(p.startswith(held) for p in train_prompts), r["id"]


def test_no_input_shared_between_splits():
    plan = plan_splits()
    keys = {name: {(p.family.name, p.example.key) for p in items} for name, items in plan.items()}
    for name, items in plan.items():
        assert len(keys[name]) == len(items), f"duplicate input inside {name}"
    names = list(keys)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not keys[a] & keys[b], (a, b)
    records = build_splits()
    for name in SPLITS[1:]:
        assert not find_leakage(records["train"], records[name]), name


def test_growing_test_phrasing_leaves_train_and_other_tests_unchanged(splits):
    """test_phrasing inputs beyond the first ten are drawn after train: train.jsonl (and any
    adapter trained on it) does not depend on test_phrasing_per_family."""
    small = build_splits(BuildConfig(test_phrasing_per_family=10))
    assert small["train"] == splits["train"]
    assert small["test_seen"] == splits["test_seen"]
    ids = {r["id"] for r in small["test_phrasing"]}
    assert [r for r in splits["test_phrasing"] if r["id"] in ids] == small["test_phrasing"]


def test_bad_configs_raise_clear_errors():
    with pytest.raises(BuildError, match="reverse_word.*distinct inputs"):
        build_splits(BuildConfig(test_seen_per_family=200))
    with pytest.raises(UnknownFamilyError, match="no_such"):
        build_splits(BuildConfig(held_out_families=("no_such",)))


# --- determinism, files, card -------------------------------------------------------------


def test_same_seed_same_records_other_seed_different(splits):
    assert build_splits() == splits
    other = build_splits(BuildConfig(seed=7))
    assert other["train"] != splits["train"]
    assert len(other["test_seen"]) == len(splits["test_seen"])


def test_golden_hash(built):
    assert _digest(built) == GOLDEN_SHA256


def test_committed_files_equal_a_fresh_build(built):
    fresh = sorted(p.relative_to(built) for p in built.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(paths.INSTRUCTIONS_DIR)
                       for p in paths.INSTRUCTIONS_DIR.rglob("*") if p.is_file())
    assert fresh == committed
    for rel in fresh:
        assert (built / rel).read_bytes() == (paths.INSTRUCTIONS_DIR / rel).read_bytes(), (
            f"{rel} differs: run `python -m helpers.build.tasks build` and commit data/instructions")
    assert sum((built / rel).stat().st_size for rel in fresh) < 5_000_000


def test_card_numbers_equal_file_counts(built):
    card = (built / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)\.jsonl` \| (\d+) \| (\d+) \|", card, flags=re.MULTILINE)
    assert [r[0] for r in rows] == list(SPLITS)
    for name, n, n_fam in rows:
        recs = _jsonl(built / f"{name}.jsonl")
        assert int(n) == len(recs) and int(n_fam) == len({r["family"] for r in recs})
    train = Counter(r["family"] for r in _jsonl(built / "train.jsonl"))
    fam_rows = re.findall(r"^\| `(\w+)` \| [^\n]* \| (\d+) \| [^|\n]+ \| (\d+) \|$", card, flags=re.MULTILINE)
    assert len(fam_rows) == len(FAMILIES)
    for name, n_phr, n_train in fam_rows:
        assert int(n_phr) == len(get_family(name).phrasings)
        assert int(n_train) == train.get(name, 0), name
    assert "Apache-2.0" in card and f"--seed {BuildConfig.seed}" in card


def test_alpaca_export_round_trips_to_the_jsonl_records(built):
    for name in SPLITS:
        records = _jsonl(built / f"{name}.jsonl")
        alpaca = json.loads((built / "alpaca" / f"{name}.json").read_text(encoding="utf-8"))
        assert [to_canonical(a) for a in alpaca] == records
    loaded = load(built / "alpaca" / "test_seen.json")
    assert loaded.format == "alpaca" and list(loaded) == _jsonl(built / "test_seen.jsonl")
    some = next(a for a in alpaca if a["input"])
    assert "\n" not in some["instruction"] and some["output"] == some["answer"]


def test_families_command_lists_every_family(capsys):
    assert main(["families"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == [f.name for f in FAMILIES]
    assert sum("held out" in line for line in out) == len(HELD_OUT_FAMILIES)
