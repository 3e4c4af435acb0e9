"""Integration on the bundled micro model with real 4-bit NF4 layers (issue 4's claims):

- an instruction adapter trained for a few hundred steps beats the base model on held-out
  examples of seen task families by a clear margin;
- adapters round-trip through save/load (plain peft) with identical logits;
- domain SFT produces the support desk's refusal on most out-of-scope requests it was trained
  on, without refusing the in-scope questions (issue 14's CI guard);
- a resumed run ends where an uninterrupted one does.

Each training run is shared by the module (about a minute each on 2 CPU cores).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from helpers import data, evaluate, models, train
from helpers.config import MICRO_SFT_LEARNING_RATE, LoraSettings, ModelSettings, preset
from helpers.domain import load_split
from helpers.paths import INSTRUCTIONS_DIR

IT_STEPS = 200  # "a few hundred steps" of QLoRA at lr 2e-3 (the cpu preset), batch IT_BATCH
IT_BATCH = 8  # half the preset's 16, to keep CI short (stage 8: the same exact match, 0.156)
N_EVAL = 64  # held-out examples of seen families (family-balanced, fixed seed)
# The margin is on answer loss (nats/token of the reference answers): measured 11.83 -> 1.73 on
# the current micro model (-> 1.57 at batch 16). Exact match moves less (0.000 -> 0.156 on these
# 64 examples, against 0.109 for always giving each family's most common training answer), so
# accuracy is checked against that majority-answer baseline, deterministic on a CPU with the
# fixed seeds. On the stage-9 model (2026-12-07, AMD EPYC): 11.24 -> 1.52, exact match
# 0.000 -> 0.375 against the same 0.109.
LOSS_MARGIN = 5.0
# Domain SFT guard: the notebook-04 recipe (the micro model's SFT learning rate, rank 16) at half
# its batch, to keep CI short. Refusal is the last behaviour the adapter picks up (fact-shaped
# answers come first). Measured on the training refusal prompts: at batch 16, 60 steps refused 2
# of 32, 150 steps 19, 200 steps 27 (in 92 s); at batch 8, 200 steps refused 23 of 32 (in 57 s)
# and refused 5 of 32 in-scope training questions. Held-out refusal prompts ask for things
# (lottery numbers, medical advice) whose meaning the micro model never read, so they are
# not checked here: the committed experiment reports them (~0.5, issue 14; 9 of 16 for this run).
# Since the bundled set has crossed frames and 2 copies per request, and the adapter trains the
# untrained embedding rows (the cpu preset): 200 steps at batch 8 refused 24 of 32 training
# refusal prompts and 5 of 32 in-scope questions (measured 2026-12-07, AMD EPYC). On the
# stage-9 model, with the frame twins dropped: 23 of 32 and 4 of 32.
SFT_STEPS = 200
SFT_BATCH = 8
N_GUARD = 32  # training prompts per kind (refuse, fact) the guard checks


def _settings(tmp_path, **kw):
    base = replace(preset("cpu").train, output_dir=str(tmp_path), eval_steps=0, logging_steps=25,
                   seed=0, resume=False)
    return replace(base, **kw)


@pytest.fixture(scope="module")
def it_run(tmp_path_factory):
    """Base accuracy, then an IT adapter trained on the suite's training families."""
    tmp = tmp_path_factory.mktemp("it")
    records = data.load(INSTRUCTIONS_DIR / "train.jsonl").records
    seen = evaluate.sample_records(data.load(INSTRUCTIONS_DIR / "test_seen.jsonl").records, N_EVAL,
                                   seed=0)
    suite = evaluate.EvalSuite(instruction={"seen": seen})
    model, tok = models.load_base(ModelSettings())
    base = evaluate.evaluate_model(model, tok, suite).metrics
    model = models.attach_lora(model, tok, LoraSettings(r=16, alpha=32, dropout=0.0), name="it")
    result = train.train(model, tok, records, None,
                         _settings(tmp / "trainer", max_steps=IT_STEPS, save_steps=IT_STEPS,
                                   batch_size=IT_BATCH))
    after = evaluate.evaluate_model(model, tok, suite).metrics
    adapter = models.save_adapter(model, tok, tmp / "adapter", "it", {"stage": "instruction"})
    majority = evaluate.majority_baseline(seen, records)
    majority_accuracy = sum(b.correct for b in majority.values()) / len(seen)
    return {"model": model, "tok": tok, "base": base, "after": after, "result": result,
            "adapter": adapter, "majority": majority_accuracy}


@pytest.mark.slow
def test_instruction_adapter_beats_base_on_seen_families(it_run):
    base, after = it_run["base"], it_run["after"]
    print(f"seen families: exact match {base['seen_accuracy']:.3f} → {after['seen_accuracy']:.3f}, "
          f"answer loss {base['seen_answer_loss']:.2f} → {after['seen_answer_loss']:.2f}")
    assert base["seen_accuracy"] <= 0.02  # a base model does not follow instructions
    assert after["seen_answer_loss"] <= base["seen_answer_loss"] - LOSS_MARGIN
    # Issue 14's CI guard: the tuned model must read its input, not just have learned each
    # family's most common answer (that constant scores the majority baseline, ~0.07 here).
    print(f"majority-answer baseline on the same examples: {it_run['majority']:.3f}")
    assert after["seen_accuracy"] > it_run["majority"]
    assert after["seen_length_stop"] <= base["seen_length_stop"]  # it learned to end its turn
    losses = [h["loss"] for h in it_run["result"].history if "loss" in h]
    assert losses[-1] < 0.5 * losses[0]  # the loss curve actually came down


@pytest.mark.slow
def test_adapter_round_trip_gives_identical_logits_in_4bit(it_run):
    from peft import PeftModel

    ids = it_run["tok"]("Ana has a red kite.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        trained = it_run["model"](input_ids=ids).logits
    base, _ = models.load_base(ModelSettings())
    reloaded = PeftModel.from_pretrained(base, str(it_run["adapter"]))  # plain peft
    with torch.no_grad():
        assert torch.equal(reloaded(input_ids=ids).logits, trained)


def _domain_guard_records() -> list[dict]:
    """N_GUARD training prompts of each kind the guard checks (refuse, fact; fixed seed)."""
    train_records = load_split("train")
    return [r for kind in ("refuse", "fact")
            for r in evaluate.sample_records([r for r in train_records if r["kind"] == kind],
                                             N_GUARD, seed=0, key="kind")]


@pytest.fixture(scope="module")
def sft_run(tmp_path_factory):
    """Domain rates of the base, then of a domain adapter trained from it (the notebook-04 recipe)."""
    suite = evaluate.EvalSuite(domain=_domain_guard_records(), answer_loss=False)
    model, tok = models.load_base(ModelSettings())
    base = evaluate.evaluate_model(model, tok, suite).metrics
    lora = replace(preset("cpu").lora, r=16, alpha=32, dropout=0.0)  # + the untrained rows
    model = models.attach_lora(model, tok, lora, name="sft")
    train.train(model, tok, load_split("train"), None,
                _settings(tmp_path_factory.mktemp("sft"), max_steps=SFT_STEPS, save_steps=SFT_STEPS,
                          learning_rate=MICRO_SFT_LEARNING_RATE, batch_size=SFT_BATCH))
    return {"base": base, "after": evaluate.evaluate_model(model, tok, suite).metrics}


@pytest.mark.slow
def test_domain_sft_refuses_most_refusal_prompts_and_few_questions(sft_run):
    base, after = sft_run["base"], sft_run["after"]
    print(f"training prompts: refusals {base['domain_refusal_rate']:.3f} → "
          f"{after['domain_refusal_rate']:.3f}, false refusals {base['domain_false_refusal_rate']:.3f}"
          f" → {after['domain_false_refusal_rate']:.3f}")
    assert base["domain_refusal_rate"] <= 0.1  # the base model never learned the desk's refusal
    assert after["domain_refusal_rate"] > 0.5  # "most refusal prompts"
    # Refusing everything would pass the line above, so most in-scope questions must still get an
    # answer. The bound is loose on purpose (measured 0.16): over-refusal is a known miss of the
    # micro model (issue 14 wants <= 0.10), which the experiment reports rather than this guard.
    assert after["domain_false_refusal_rate"] <= 0.5


@pytest.mark.slow
def test_resume_on_the_micro_model_equals_uninterrupted(tmp_path):
    records = data.load(INSTRUCTIONS_DIR / "train.jsonl").records[:400]

    def fresh():
        model, tok = models.load_base(ModelSettings())
        return models.attach_lora(model, tok, LoraSettings(r=8, alpha=16), name="it"), tok

    full = train.train(*fresh(), records, None,
                       _settings(tmp_path / "full", max_steps=10, save_steps=5, logging_steps=5,
                                 batch_size=8))
    cut = _settings(tmp_path / "cut", max_steps=10, save_steps=5, logging_steps=5, batch_size=8,
                    resume=True)
    with pytest.raises(KeyboardInterrupt):
        train.train(*fresh(), records, None, cut, interrupt_after_step=5)
    resumed = train.train(*fresh(), records, None, cut)
    assert resumed.resumed_from.endswith("checkpoint-5")
    assert resumed.final_train_loss == pytest.approx(full.final_train_loss, rel=1e-5)

