"""Tests for helpers.domain: the Nimbusly knowledge base, its Q&A splits, the card and the checkers."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from helpers import world
from helpers.build.domain.__main__ import main
from helpers.build.domain.build import FILES, dataset_hash, write_dataset
from helpers.build.domain.qa import DomainConfig, DomainDataError, build_splits
from helpers.build.domain.questions import MORE_TRAIN_QUESTIONS, MORE_TRAIN_REQUESTS, QUESTIONS
from helpers.domain import (
    DOMAIN_TERMS,
    ESCALATION_MESSAGE,
    REFUSAL_MESSAGE,
    fact_accuracy,
    find_domain_terms,
    is_correct,
    is_escalation,
    is_refusal,
    load_split,
    normalise,
    score_domain,
    trained_fact_sample,
)
from helpers.domain.kb import PLANS, build_facts
from helpers.domain.scope import SCOPE_REQUESTS
from helpers.domain.score import DomainScoreError
from helpers.paths import DOMAIN_DIR

# sha256 over data/domain/* as built with the default config (seed 0). If you change the KB,
# the questions or the split on purpose: rebuild (`python -m helpers.build.domain build`), commit
# data/domain/, and paste the printed "dataset sha256" here.
GOLDEN_SHA256 = "a4ba02d11797ca54550a9daa48b0d01c20cb6acd1f100136fe5cd9bb7787c515"  # card names helpers.build.domain


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("domain")
    write_dataset(out)
    return out


@pytest.fixture(scope="module")
def splits(built):
    return {s: load_split(s, built) for s in ("train", "validation", "test")}


def _questions(records):
    return {normalise(r["messages"][1]["content"]) for r in records}


def _fact(facts, kind="fact"):
    return {"id": "x", "kind": kind, "topic": "plans", "facts": facts}


# --- knowledge base ---------------------------------------------------------------------------

def test_kb_has_30_to_50_unique_facts_each_stated_by_its_own_sentence():
    facts = build_facts()
    assert 30 <= len(facts) <= 50
    assert len({f.id for f in facts}) == len(facts)
    for f in facts:
        assert f.facts, f.id
        assert fact_accuracy({"kind": "fact", "facts": list(f.facts)}, f.statement), f.id


def test_every_question_group_has_at_least_four_paraphrases():
    for key, groups in QUESTIONS.items():
        for g in groups:
            assert len(g) >= 4 and len(set(g)) == len(g), key
    for req in SCOPE_REQUESTS:
        assert len(req.paraphrases) >= 4 and req.kind in ("refuse", "escalate"), req.key
    # training-only wordings repeat no wording of their group (a repeat would just be a copy)
    for key, groups in MORE_TRAIN_QUESTIONS.items():
        for g, extra in zip(QUESTIONS[key], groups):
            assert {normalise(q) for q in extra}.isdisjoint({normalise(q) for q in g}), key
            assert len(set(extra)) == len(extra), key
    for req in SCOPE_REQUESTS:
        extra = MORE_TRAIN_REQUESTS.get(req.key, ())
        assert {normalise(q) for q in extra}.isdisjoint({normalise(q) for q in req.paraphrases}), req.key


def test_domain_terms_name_the_company_and_plans_and_match_whole_words():
    assert {"Nimbusly", "refund", "SLA", "uptime", "invoice"} <= set(DOMAIN_TERMS)
    assert {p.name for p in PLANS} <= set(DOMAIN_TERMS)
    assert find_domain_terms("Two Refunds were issued for the invoices.") == ["refund", "invoice"]
    assert find_domain_terms("An island slab; a translated slate.") == []  # no 'SLA' inside words


def test_shared_world_vocabulary_has_no_domain_terms():
    words = " ".join(" ".join(v) for k, v in vars(world).items() if isinstance(v, tuple))
    assert words and find_domain_terms(words) == []


# --- splits -------------------------------------------------------------------------------------

def test_held_out_questions_never_appear_in_train(splits):
    train = _questions(splits["train"])
    for other in ("validation", "test"):
        assert not _questions(splits[other]) & train, other
    assert not _questions(splits["validation"]) & _questions(splits["test"])


def test_every_tested_fact_is_trained_and_all_kinds_are_in_every_split(splits):
    trained = {r["messages"][2]["content"] for r in splits["train"]}
    for name, recs in splits.items():
        assert {r["kind"] for r in recs} == {"fact", "refuse", "escalate"}, name
        assert all(r["split"] == name for r in recs)
        assert {r["messages"][2]["content"] for r in recs} <= trained
    assert 600 <= sum(map(len, splits.values())) <= 1500


def test_records_are_canonical_and_every_answer_passes_its_own_checker(splits):
    for r in (r for recs in splits.values() for r in recs):
        assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
        answer = r["messages"][2]["content"]
        assert is_correct(r, answer), r["id"]
        if r["kind"] == "fact":
            assert not is_refusal(answer) and not is_escalation(answer), r["id"]


def test_template_holdout_is_shared_across_plans(splits):
    # A held-out plan template is unseen for every plan: its t-index is the same for all four.
    held = {re.sub(r"plan\.\w+\.", "plan.*.", r["id"]) for r in splits["test"] if ".plan." in r["id"]}
    per_plan = Counter(re.sub(r"plan\.\w+\.", "plan.*.", r["id"]) for r in splits["test"])
    assert held and all(per_plan[h] == len(PLANS) for h in held)


def test_too_many_held_out_templates_is_a_clear_error():
    with pytest.raises(DomainDataError, match="needs at least"):
        build_splits(DomainConfig(val_templates=2, test_templates=3))


def test_a_question_reused_by_another_fact_is_rejected(monkeypatch):
    from helpers.build.domain import qa

    clash = {**QUESTIONS, "billing.due": (("When do I get my invoice?",) + QUESTIONS["billing.due"][0],)}
    monkeypatch.setattr(qa, "QUESTIONS", clash)
    with pytest.raises(DomainDataError, match="also in train|different answers"):
        build_splits()


def test_more_wordings_add_to_train_and_leave_held_out_questions_unchanged(splits):
    wide = build_splits(DomainConfig(more_wordings=True))
    for split in ("validation", "test"):  # same questions, same order: results stay comparable
        assert wide[split] == splits[split], split
    # Without the crossed frames, whose ids and decorations follow the template count:
    narrow = build_splits(DomainConfig(crossed_frames=False))["train"]
    wide = build_splits(DomainConfig(crossed_frames=False, more_wordings=True))["train"]
    narrow_q, wide_q = _questions(narrow), _questions(wide)
    assert narrow_q < wide_q and len(wide_q - narrow_q) > len(narrow_q) // 2  # really wider
    assert {r["id"] for r in narrow} < {r["id"] for r in wide}  # ids kept


def test_more_wordings_under_a_wrong_key_or_shape_are_clear_errors(monkeypatch):
    from helpers.build.domain import qa

    monkeypatch.setattr(qa, "MORE_TRAIN_REQUESTS", {"jokes": ("Tell me a pun.",)})
    with pytest.raises(DomainDataError, match=r"unknown keys \['jokes'\]"):
        build_splits()  # checked even when not used: a typo must not wait for the flag
    monkeypatch.setattr(qa, "MORE_TRAIN_REQUESTS", {})
    monkeypatch.setattr(qa, "MORE_TRAIN_QUESTIONS", {"plan.price": (("What is {plan}?",),)})
    with pytest.raises(DomainDataError, match=r"MORE_TRAIN_QUESTIONS\['plan.price'\] has 1 groups"):
        build_splits(DomainConfig(more_wordings=True))


def test_more_wordings_cli_flag_builds_the_wider_set(tmp_path, splits):
    assert main(["build", "--out", str(tmp_path), "--more-wordings"]) == 0
    assert load_split("test", tmp_path) == splits["test"]
    assert len(load_split("train", tmp_path)) > 1.5 * len(splits["train"])
    assert "more_wordings=True" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_more_requests_add_only_refusals_and_escalations_and_no_near_copy_of_a_held_out_one(splits):
    from helpers.build.domain.qa import _grams
    from helpers.build.domain.questions import MORE_TRAIN_REQUESTS

    wide = build_splits(DomainConfig(more_requests=True))
    for split in ("validation", "test"):
        assert wide[split] == splits[split], split
    ids = {r["id"] for r in splits["train"]}
    assert ids < {r["id"] for r in wide["train"]}  # nothing of the bundled set is lost
    new = [r for r in wide["train"] if r["id"] not in ids]
    assert new and {r["kind"] for r in new} == {"refuse", "escalate"}
    held = {g for r in splits["validation"] + splits["test"] if r["kind"] != "fact"
            for g in _grams(r["messages"][1]["content"])}
    plain = {r["messages"][1]["content"] for r in new if ".v" not in r["id"]}
    assert not any(_grams(q) & held for q in plain)
    candidates = [q for qs in MORE_TRAIN_REQUESTS.values() for q in qs]
    dropped = [q for q in candidates if q not in plain]
    assert "I want to report a phishing site on your network." in dropped  # test: "...phishing hosted..."
    assert 0 < len(dropped) < len(candidates) // 4  # the guard dropped near-copies, kept most


def test_crossed_frames_make_the_frame_uninformative_without_near_copies_of_test(splits):
    from helpers.build.domain.qa import _grams
    from helpers.build.domain.questions import ATTRIBUTE_WORDS, CROSSED_FRAMES

    plain = build_splits(DomainConfig(crossed_frames=False, scope_variants=None))
    crossed = build_splits(DomainConfig(crossed_frames=True, scope_variants=None))
    for split in ("validation", "test"):
        assert crossed[split] == plain[split] == splits[split], split
    new = [r for r in crossed["train"] if r["id"] not in {x["id"] for x in plain["train"]}]
    assert new and all(r["kind"] == "fact" and r["id"].startswith("fact.plan.") for r in new)
    held = {}  # fact -> four-word sequences of its held-out questions
    for r in crossed["validation"] + crossed["test"]:
        held.setdefault(r["id"].split(".q")[0], set()).update(_grams(r["messages"][1]["content"]))
    for r in new:
        assert not _grams(r["messages"][1]["content"]) & held[r["id"].split(".q")[0]], r["id"]
    plain = {r["messages"][1]["content"] for r in new if ".v" not in r["id"]}
    candidates = len(CROSSED_FRAMES) * sum(map(len, ATTRIBUTE_WORDS.values())) * 4  # 4 plans
    assert 0 < len(plain) < candidates  # the guard dropped some, and kept most
    assert len(plain) > candidates // 2
    plans = {r["id"].split(".")[2].capitalize() for r in new}
    shared = [frame for frame in CROSSED_FRAMES  # frames trained with several attributes
              if len({key for key, words in ATTRIBUTE_WORDS.items() for word in words
                      for plan in plans if frame.format(word=word, plan=plan) in plain}) >= 2]
    # The guard is strict: "...of the {plan} plan." shares "of the Breeze plan" with held-out
    # templates, so one frame keeps a single attribute; all others stay uninformative.
    assert len(shared) >= len(CROSSED_FRAMES) - 1, shared


def test_crossed_frames_are_the_default_and_the_cli_can_leave_them_out(tmp_path, splits):
    assert DomainConfig().crossed_frames and "`CROSSED_FRAMES`" in (DOMAIN_DIR / "README.md").read_text(encoding="utf-8")
    assert main(["build", "--out", str(tmp_path), "--no-crossed-frames"]) == 0
    assert load_split("test", tmp_path) == splits["test"]
    assert len(load_split("train", tmp_path)) < len(splits["train"])
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "crossed_frames=False" in card and "`CROSSED_FRAMES`" not in card


def test_scope_variants_copy_only_the_requests(splits):
    narrow = build_splits(DomainConfig(scope_variants=None))  # as many copies as the questions: 1
    assert DomainConfig().scope_variants == 2 and narrow["test"] == splits["test"]
    kinds = {}
    for name, recs in (("base", narrow["train"]), ("wide", splits["train"])):
        for r in recs:
            kinds.setdefault(name, {}).setdefault(r["kind"], 0)
            kinds[name][r["kind"]] += 1
    assert kinds["wide"]["fact"] == kinds["base"]["fact"]
    for kind in ("refuse", "escalate"):  # one plain + one copy per request -> one plain + two
        assert kinds["wide"][kind] == kinds["base"][kind] * 3 // 2, kind


def test_build_check_catches_leakage_and_conflicting_answers():
    from helpers.build.domain.qa import _check

    def rec(rid, q, a, split):
        return {"id": rid, "kind": "refuse", "split": split, "facts": [],
                "messages": [{}, {"content": q}, {"content": a}]}

    with pytest.raises(DomainDataError, match="'b': test question also in train"):
        _check([rec("a", "Tell me a joke.", REFUSAL_MESSAGE, "train"),
                rec("b", "tell me a JOKE", REFUSAL_MESSAGE, "test")])
    with pytest.raises(DomainDataError, match="'a' and 'b': same question, different answers"):
        _check([rec("a", "Tell me a joke.", REFUSAL_MESSAGE, "train"),
                rec("b", "Tell me a joke!", ESCALATION_MESSAGE, "train")])


# --- files, card, determinism -------------------------------------------------------------------

def test_build_is_deterministic_and_matches_golden_hash(built, tmp_path):
    assert main(["build", "--out", str(tmp_path)]) == 0
    assert dataset_hash(tmp_path) == dataset_hash(built) == GOLDEN_SHA256


def test_other_seed_changes_held_out_templates():
    a, b = build_splits(DomainConfig(seed=0)), build_splits(DomainConfig(seed=1))
    assert _questions(a["test"]) != _questions(b["test"])


def test_card_counts_equal_file_counts(built, splits):
    card = (built / "README.md").read_text(encoding="utf-8")
    assert "Apache-2.0" in card and "fictional" in card and "--seed 0" in card
    for name, recs in splits.items():
        row = re.search(rf"^\| {name} \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", card, re.MULTILINE)
        c = Counter(r["kind"] for r in recs)
        assert row and [int(x) for x in row.groups()] == [
            c["fact"], c["escalate"], c["refuse"], len(recs)], name


def test_committed_files_equal_fresh_build(built):
    for name in FILES:
        committed = DOMAIN_DIR / name
        assert committed.exists(), f"{committed} missing: run python -m helpers.build.domain build"
        assert committed.read_bytes() == (built / name).read_bytes(), name
    assert sum((DOMAIN_DIR / n).stat().st_size for n in FILES) < 2_000_000


def test_trained_fact_sample_is_training_facts_balanced_over_topics(splits):
    sample = trained_fact_sample(splits["train"], 20, seed=0)
    assert sample == trained_fact_sample(splits["train"], 20, seed=0)  # deterministic
    assert len(sample) == 20 and all(r["kind"] == "fact" and r["split"] == "train" for r in sample)
    topics = Counter(r["topic"] for r in sample)
    assert len(topics) == 10 and max(topics.values()) - min(topics.values()) <= 1
    with pytest.raises(ValueError, match="no fact records"):
        trained_fact_sample([r for r in splits["train"] if r["kind"] == "refuse"], 5)


def test_load_split_missing_file_says_how_to_build(tmp_path):
    with pytest.raises(FileNotFoundError, match="python -m helpers.build.domain build"):
        load_split("train", tmp_path)


# --- checkers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("generated", [
    "The Breeze plan costs 5 dollars a month.", "breeze: $5 per month", "BREEZE costs five dollars!",
    "The Breeze plan is 5.00 dollars.", "It is 5 USD for Breeze",
])
def test_fact_accuracy_accepts_normalised_variants(generated):
    assert fact_accuracy(_fact(["Breeze", "5 dollars"]), generated)


@pytest.mark.parametrize("generated", [
    "The Breeze plan costs 15 dollars a month.", "The Squall plan costs 5 dollars a month.",
    "The Breeze plan costs 50 dollars.", "The Breeze plan costs 5.5 dollars.", "Breeze", "",
    REFUSAL_MESSAGE,
])
def test_fact_accuracy_rejects_wrong_or_missing_facts(generated):
    assert not fact_accuracy(_fact(["Breeze", "5 dollars"]), generated)


def test_normalise_numbers_units_and_punctuation():
    assert normalise("Twenty-four HOURS, 99.95%!") == "24 hour 99.95 percent"
    assert normalise("8am to 8 PM") == "8 am to 8 pm"
    assert normalise("one hundred five vCPUs") == "105 vcpu"
    assert fact_accuracy(_fact(["99.95%"]), "We promise 99.95 percent uptime.")
    assert not fact_accuracy(_fact(["99.95%"]), "We promise 9.95% uptime.")
    assert fact_accuracy(_fact(["2 vCPUs"]), "It has 2 vCPU.")


def test_refusal_and_escalation_detection():
    assert is_refusal(REFUSAL_MESSAGE) and not is_escalation(REFUSAL_MESSAGE)
    assert is_escalation(ESCALATION_MESSAGE) and not is_refusal(ESCALATION_MESSAGE)
    assert is_refusal("I'm sorry, but I cannot help with that.")
    assert is_escalation("A human support agent will contact you.")
    for text in ("The refund window is 14 days.", "Sorry to hear that, the SLA is 99.95%.", ""):
        assert not is_refusal(text) and not is_escalation(text)
    both = f"{REFUSAL_MESSAGE} {ESCALATION_MESSAGE}"
    assert not is_correct({"kind": "refuse"}, both) and not is_correct({"kind": "escalate"}, both)


def test_fact_accuracy_refuses_records_without_facts():
    with pytest.raises(DomainScoreError, match="non-empty 'facts'"):
        fact_accuracy(_fact([], kind="refuse"), REFUSAL_MESSAGE)


def test_score_domain_rates(splits):
    recs = splits["test"]
    gold = [r["messages"][2]["content"] for r in recs]
    perfect = score_domain(recs, gold)
    assert perfect["accuracy"] == perfect["fact_accuracy"] == 1.0
    assert perfect["refusal_rate"] == perfect["escalation_rate"] == 1.0
    assert perfect["false_refusal_rate"] == perfect["false_escalation_rate"] == 0.0
    assert perfect["n"] == len(recs) == perfect["n_fact"] + perfect["n_refuse"] + perfect["n_escalate"]
    assert set(perfect["fact_accuracy_by_topic"].values()) == {1.0}
    refuser = score_domain(recs, [REFUSAL_MESSAGE] * len(recs))
    assert refuser["fact_accuracy"] == 0.0 and refuser["refusal_rate"] == 1.0
    assert refuser["false_refusal_rate"] == 1.0 and refuser["escalation_rate"] == 0.0
    assert refuser["accuracy"] == pytest.approx(perfect["n_refuse"] / len(recs))
    assert score_domain([], [])["fact_accuracy"] is None


def test_score_domain_input_errors_name_the_problem():
    with pytest.raises(DomainScoreError, match="1 records but 0 generations"):
        score_domain([_fact(["x"])], [])
    with pytest.raises(DomainScoreError, match="'bogus'"):
        score_domain([{"id": "r7", "kind": "bogus"}], ["hi"])


def test_attribute_frames_mask_the_plan_and_the_attribute():
    from helpers.build.domain.frames import attribute_frame, is_twin, word_distance

    storage = attribute_frame("How much storage does the {plan} plan have?")
    assert storage == attribute_frame("How much RAM does the {plan} plan have?")
    assert storage == attribute_frame("How much SSD storage does the {plan} plan have?")
    assert word_distance(storage, attribute_frame("How many vCPUs does the {plan} plan have?")) == 1
    assert "P" in storage and "A" in storage and "storage" not in storage
    held = [storage]
    assert is_twin("How many vCPUs does the {plan} plan have?", held)
    assert not is_twin("Tell me about the {word} of {plan}.", held)
    assert not is_twin("How big is the disk on the {plan} plan?", held)
    assert word_distance(("a", "b"), ("b",)) == 1 and word_distance((), ("x", "y")) == 2


def test_dropping_frame_twins_leaves_no_held_out_frame_trained_with_another_attribute(splits):
    from helpers.build.domain.frames import TWIN_DISTANCE, attribute_frame, word_distance
    from helpers.build.domain.questions import ATTRIBUTE_WORDS

    twins, full = splits, build_splits(DomainConfig(drop_frame_twins=False))
    for split in ("validation", "test"):
        assert twins[split] == full[split], split  # the questions asked do not change
    kept = {r["id"] for r in twins["train"]}
    dropped = [r for r in full["train"] if r["id"] not in kept]
    assert kept < {r["id"] for r in full["train"]} and dropped
    assert all(r["id"].startswith("fact.plan.") for r in dropped)

    def frame(record):
        plan = record["id"].split(".")[2].capitalize()
        return attribute_frame(record["messages"][1]["content"].replace(plan, "{plan}"))

    plan_keys = {k.split(".")[1] for k in ATTRIBUTE_WORDS}  # price, vcpus, ram, storage
    held = [frame(r) for r in splits["validation"] + splits["test"]
            if r["id"].startswith("fact.plan.") and r["id"].split(".")[3] in plan_keys]
    plain_train = [r for r in twins["train"] if r["id"].startswith("fact.plan.")
                   and r["id"].split(".")[3] in plan_keys and ".v" not in r["id"]]
    assert held and plain_train
    for r in plain_train:
        assert min(word_distance(frame(r), h) for h in held) > TWIN_DISTANCE, r["id"]
    assert any(min(word_distance(frame(r), h) for h in held) <= TWIN_DISTANCE
               for r in dropped if ".v" not in r["id"])  # what was left out were twins


def test_frame_twins_cli_flag(tmp_path, splits):
    assert DomainConfig().drop_frame_twins
    assert main(["build", "--out", str(tmp_path), "--no-drop-frame-twins"]) == 0
    assert load_split("test", tmp_path) == splits["test"]
    assert len(load_split("train", tmp_path)) > len(splits["train"])
    assert "drop_frame_twins=False" in (tmp_path / "README.md").read_text(encoding="utf-8")
