"""helpers.packing: packed batches give exactly the per-example losses (no cross-contamination),
on a tiny random Llama (SDPA and eager attention) and on the bundled micro model; packing and
length grouping wired through helpers.train give the padded run's training curve."""

from __future__ import annotations

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers import models
from helpers.chat import ChatEncodingConfig, encode_records
from helpers.config import LoraSettings, ModelSettings, TrainSettings
from helpers.packing import (
    PackedCollator,
    PackingError,
    length_grouped_indices,
    pack_rows,
    padding_report,
)
from helpers.paths import REPO_ROOT
from helpers.world import COLORS, OBJECTS, PEOPLE, TOWNS

MICRO = REPO_ROOT / "data" / "models" / "micro-llama"


def _records(n: int = 24) -> list[dict]:
    """Chat records of deliberately varied length (1–3 turns), so packing has work to do."""
    out = []
    for i in range(n):
        p, c, o, t = (PEOPLE[i % len(PEOPLE)], COLORS[i % len(COLORS)],
                      OBJECTS[i % len(OBJECTS)], TOWNS[i % len(TOWNS)])
        msgs = []
        for turn in range(1 + i % 3):
            msgs += [{"role": "user", "content": f"Where did {p} take the {c} {o}?" + " Why?" * turn},
                     {"role": "assistant", "content": f"To {t}." + f" {p} likes {c}." * turn}]
        out.append({"messages": msgs, "id": f"r{i}"})
    return out


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    """A 2-layer random Llama + BPE tokenizer (fp32), saved like a hub model."""
    texts = [f"{p} took the {c} {o} to {t}." for p in PEOPLE for c in COLORS for o in OBJECTS[:4]
             for t in TOWNS[:2]]
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama-pack"), sentence_tokenizer(texts),
                           max_position_embeddings=512)


def _load(path, attn="sdpa"):
    from transformers import AutoModelForCausalLM

    tok, _ = models.load_tokenizer(str(path))
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation=attn)
    if len(tok) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tok))
    return model.eval(), tok


def _examples(tok, n=6, max_length=256):
    data = encode_records(tok, _records(n), ChatEncodingConfig(max_length=max_length))
    assert len({len(e["input_ids"]) for e in data.examples}) > 2  # lengths really vary
    return data.examples


def _alone(model, tok, examples) -> tuple[float, list[torch.Tensor]]:
    """Token-weighted mean loss and logits of each example run on its own (no padding)."""
    total, count, logits = 0.0, 0, []
    for ex in examples:
        ids = torch.tensor([ex["input_ids"]])
        labels = torch.tensor([ex["labels"]])
        with torch.no_grad():
            out = model(input_ids=ids, labels=labels)
        n = int((labels[0, 1:] != -100).sum())
        total, count = total + out.loss.item() * n, count + n
        logits.append(out.logits[0])
    return total / count, logits


def _packed(model, batch) -> torch.Tensor:
    with torch.no_grad():
        return model(**batch)


def _check_no_contamination(model, tok, examples, row_tokens):
    expected, alone_logits = _alone(model, tok, examples)
    collator = PackedCollator(tok, row_tokens=row_tokens)
    batch = collator(examples)
    out = _packed(model, batch)
    assert abs(out.loss.item() - expected) < 1e-5
    # Stronger than the loss: every example's logits inside the pack equal its logits alone.
    rows = collator.pack(examples)
    order = [i for r in _row_members(examples, row_tokens) for i in r]
    got = []
    for r, row in enumerate(rows):
        start = 0
        for length in row["lengths"]:
            got.append(out.logits[r, start:start + length])
            start += length
    for k, i in enumerate(order):
        torch.testing.assert_close(got[k], alone_logits[i], atol=2e-5, rtol=1e-4)
    return batch


def _row_members(examples, row_tokens):
    lengths = [len(e["input_ids"]) for e in examples]
    return pack_rows(lengths, row_tokens or sum(lengths))


@pytest.mark.parametrize("attn", ["sdpa", "eager"])
@pytest.mark.parametrize("row_tokens", [None, 256])
def test_packed_loss_equals_examples_alone_tiny_llama(tiny_dir, attn, row_tokens):
    model, tok = _load(tiny_dir, attn)
    examples = _examples(tok)
    batch = _check_no_contamination(model, tok, examples, row_tokens)
    if row_tokens:
        assert batch["input_ids"].shape[0] > 1 and batch["input_ids"].shape[1] <= row_tokens


def test_negative_control_without_position_restart_leaks(tiny_dir):
    """The test above can fail: the same flat row with positions 0..T-1 (one long sequence,
    every example attending to the previous ones) gives a different loss."""
    model, tok = _load(tiny_dir)
    examples = _examples(tok)
    expected, _ = _alone(model, tok, examples)
    batch = PackedCollator(tok)(examples)
    batch["position_ids"] = torch.arange(batch["input_ids"].shape[1])[None]
    assert abs(_packed(model, batch).loss.item() - expected) > 1e-3


@pytest.mark.skipif(not (MICRO / "config.json").exists(), reason="micro model not built yet")
def test_packed_loss_equals_examples_alone_micro_model():
    model, tok = _load(MICRO)
    _check_no_contamination(model, tok, _examples(tok, n=8), row_tokens=256)


def test_collator_labels_positions_and_padding(small_tokenizer):
    examples = _examples(small_tokenizer, n=5)
    rows = PackedCollator(small_tokenizer, row_tokens=200).pack(examples)
    batch = PackedCollator(small_tokenizer, row_tokens=200)(examples)
    assert "attention_mask" not in batch  # a mask would switch transformers' packing off
    assert sum(len(r["lengths"]) for r in rows) == len(examples)
    for r, row in enumerate(rows):
        starts = [sum(row["lengths"][:k]) for k in range(len(row["lengths"]))]
        assert [row["position_ids"][s] for s in starts] == [0] * len(starts)
        assert all(row["labels"][s] == -100 for s in starts)  # no prediction across examples
        tail = batch["input_ids"][r, len(row["input_ids"]):]
        assert (tail == small_tokenizer.pad_token_id).all()
        assert (batch["labels"][r, len(row["input_ids"]):] == -100).all()
    trained = sum(sum(x != -100 for x in e["labels"][1:]) for e in examples)
    assert int((batch["labels"] != -100).sum()) == trained  # nothing else lost or added


def test_pack_rows_first_fit_decreasing():
    rows = pack_rows([5, 5, 3, 7, 6, 4], capacity=10)
    assert sorted(i for r in rows for i in r) == list(range(6))
    assert all(sum([5, 5, 3, 7, 6, 4][i] for i in r) <= 10 for r in rows)
    assert len(rows) == 3  # 30 tokens, capacity 10: the lower bound
    assert pack_rows([12, 3], capacity=10) == [[0], [1]]  # too long: alone in its row
    with pytest.raises(PackingError, match="capacity"):
        pack_rows([1], 0)


def test_collator_errors_name_the_problem(small_tokenizer):
    with pytest.raises(PackingError, match="empty batch"):
        PackedCollator(small_tokenizer)([])
    with pytest.raises(PackingError, match="example 0 lacks"):
        PackedCollator(small_tokenizer)([{"input_ids": [1, 2]}])
    with pytest.raises(PackingError, match="row_tokens"):
        PackedCollator(small_tokenizer, row_tokens=1)


def test_length_grouping_and_padding_report():
    import random

    rng = random.Random(1)
    lengths = [rng.randint(20, 300) for _ in range(400)]
    order = length_grouped_indices(lengths, batch_size=8, seed=0)
    assert sorted(order) == list(range(400))
    assert order == length_grouped_indices(lengths, batch_size=8, seed=0)
    padded = padding_report(lengths, 8, "padded")
    grouped = padding_report(lengths, 8, "grouped")
    packed = padding_report(lengths, 8, "packed", row_tokens=300)
    assert padded.real_tokens == grouped.real_tokens == packed.real_tokens == sum(lengths)
    assert padded.efficiency < 0.75 < grouped.efficiency  # uniform lengths: ~2/3 vs ~0.97
    assert packed.efficiency > 0.8
    assert padding_report(lengths, 8, "packed").efficiency == 1.0  # one row per batch


# -- wired through helpers.train -------------------------------------------------------------

def _train(tiny_dir, tmp_path, **kw):
    from helpers import train

    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    model = models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0))
    settings = TrainSettings(output_dir=str(tmp_path / "run"), max_steps=4, batch_size=6,
                             learning_rate=5e-3, eval_steps=0, save_steps=100, logging_steps=1,
                             max_length=128, seed=0, **kw)
    result = train.train(model, tok, _records(24), None, settings)
    lora = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    return result, lora


def test_train_with_packing_matches_padded_run(tiny_dir, tmp_path):
    """Same batches, same gradients: packing changes the speed, not the training."""
    padded, w_padded = _train(tiny_dir, tmp_path / "a")
    packed, w_packed = _train(tiny_dir, tmp_path / "b", packing=True)
    losses = [[h["loss"] for h in r.history if "loss" in h] for r in (padded, packed)]
    assert len(losses[0]) == 4
    assert losses[0] == pytest.approx(losses[1], abs=1e-5)
    for name in w_padded:
        torch.testing.assert_close(w_packed[name], w_padded[name], atol=1e-5, rtol=1e-4)


def test_train_with_group_by_length_runs(tiny_dir, tmp_path):
    from helpers.train import training_arguments

    args = training_arguments(TrainSettings(output_dir=str(tmp_path), group_by_length=True))
    strategy = getattr(args, "train_sampling_strategy", None)  # 5.x name; older: group_by_length
    assert strategy == "group_by_length" or getattr(args, "group_by_length", False) is True
    grouped, _ = _train(tiny_dir, tmp_path, group_by_length=True)
    assert grouped.steps == 4 and grouped.final_train_loss is not None
