"""helpers.registry.drift on the bundled data: in-distribution batches pass, shifted ones flag."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from helpers.data import load
from helpers.domain import load_split
from helpers.paths import INSTRUCTIONS_DIR
from helpers.registry import DriftConfig, check_drift
from helpers.registry.drift import js_divergence, ks_statistic, prompt_of, psi, words


@pytest.fixture(scope="module")
def domain_train() -> list[dict]:
    return load_split("train")


def flagged(report) -> set[str]:
    return {c.name for c in report.checks if c.flagged}


def test_domain_test_set_is_not_drift(domain_train):
    report = check_drift(domain_train, load_split("test"))
    assert not report.reevaluate and report.reasons == []
    values = {c.name: round(c.value, 3) for c in report.checks}
    # Golden values: if these move, the statistics (or the bundled data) changed.
    assert values == {"length_psi": 0.617, "length_ks": 0.309, "oov_rate": 0.124,
                      "vocab_jsd": 0.316, "label_jsd": 0.016, "unseen_label_rate": 0.0}
    assert all(c.threshold is not None for c in report.checks)
    assert report.stats["label_mix"]["key"] == "topic"
    assert report.stats["length_words"]["batch"]["p50"] == 7
    assert not check_drift(domain_train, load_split("validation")).reevaluate


@pytest.mark.parametrize("split", ["test_seen", "test_unseen_family"])
def test_instruction_prompts_are_drift_for_a_domain_model(domain_train, split):
    report = check_drift(domain_train, load(INSTRUCTIONS_DIR / f"{split}.jsonl"))
    assert report.reevaluate
    assert {"oov_rate", "vocab_jsd"} <= flagged(report)
    assert any("task mix not compared" in n for n in report.notes)  # family vs topic labels
    assert "oov_rate" in str(report) and "RE-EVALUATE" in str(report)


def test_garbage_is_drift_on_every_axis(domain_train):
    rng = random.Random(0)
    garbage = ["".join(rng.choice("qxzjvkw ") for _ in range(rng.randint(30, 200)))
               for _ in range(40)]
    report = check_drift(domain_train, garbage)
    assert flagged(report) == {"length_psi", "length_ks", "oov_rate", "vocab_jsd"}


def test_longer_prompts_in_known_words_flag_length_only(domain_train):
    prompts = [prompt_of(r) for r in domain_train]
    batch = [" ".join(prompts[i:i + 6]) for i in range(0, 600, 6)]  # six questions in one
    assert flagged(check_drift(domain_train, batch)) == {"length_psi", "length_ks"}


def test_a_changed_task_mix_is_flagged(domain_train):
    refusals = [r for r in load_split("test") if r["kind"] == "refuse"]
    report = check_drift(domain_train, refusals)
    assert "label_jsd" in flagged(report)
    kind = check_drift(domain_train, refusals, DriftConfig(label_key="kind"))
    assert kind.stats["label_mix"]["batch"] == {"refuse": 16}
    new_topic = [dict(r, topic="gpu_rental") for r in load_split("test")]
    assert "unseen_label_rate" in flagged(check_drift(domain_train, new_topic))


def test_statistics_on_known_inputs():
    assert js_divergence(Counter("aabb"), Counter("abab")) == 0
    assert js_divergence(Counter("aa"), Counter("bb")) == 1
    assert ks_statistic([1, 2, 3, 4], [1, 2, 3, 4]) == 0
    assert ks_statistic([1, 1, 1, 1], [5, 5]) == 1
    assert psi([1, 2, 3, 4, 5] * 20, [1, 2, 3, 4, 5] * 3) == pytest.approx(0, abs=1e-9)
    assert words("Hello, it's 5 o'clock!") == ["hello", "it's", "5", "o'clock"]


def test_prompts_from_every_record_form_and_clear_errors():
    assert prompt_of({"messages": [{"role": "system", "content": "sys"},
                                   {"role": "user", "content": "q"},
                                   {"role": "assistant", "content": "a"}]}) == "q"
    assert prompt_of({"instruction": "Sum", "input": "1 2"}) == "Sum\n1 2"
    assert prompt_of({"prompt": "p"}) == "p" and prompt_of("s") == "s"
    with pytest.raises(ValueError, match="record 1 has no prompt"):
        check_drift(["a b"], ["a", {"answer": "x"}])
    with pytest.raises(ValueError, match=r"batch: 0\)"):
        check_drift(["a"], [])
    small = check_drift(["how much is it"] * 30, ["how much"] * 5)
    assert any("only 5 prompts" in n for n in small.notes)
