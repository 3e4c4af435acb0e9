"""Integration on the bundled micro model with real 4-bit NF4 layers (issue 4's claims):

- an instruction adapter trained for a few hundred steps beats the base model on held-out
  examples of seen task families by a clear margin;
- adapters round-trip through save/load (plain peft) with identical logits;
- a resumed run ends where an uninterrupted one does.

The training run is shared by the module (about 2–3 minutes on 2 CPU cores).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from helpers import data, evaluate, models, train
from helpers.config import LoraSettings, ModelSettings, preset
from helpers.paths import INSTRUCTIONS_DIR

IT_STEPS = 200  # "a few hundred steps" of QLoRA at batch 16, lr 2e-3 (the cpu preset)
N_EVAL = 64  # held-out examples of seen families (family-balanced, fixed seed)
# The margin is on answer loss (nats/token of the reference answers): measured 10.91 -> 1.57 on
# the current micro model. Exact match moves less (0.000 -> 0.156 on these 64 examples, against
# 0.109 for always giving each family's most common training answer), so accuracy is checked
# against that majority-answer baseline, deterministic on a CPU with the fixed seeds.
LOSS_MARGIN = 5.0


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
                         _settings(tmp / "trainer", max_steps=IT_STEPS, save_steps=IT_STEPS))
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

