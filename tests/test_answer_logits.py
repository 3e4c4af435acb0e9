"""helpers.answer_logits: logits only at target positions give the same loss and gradients as
the model's own full-logits loss (padded and packed batches, and through Trainer with gradient
accumulation), on a tiny random Llama with real chat data."""

from __future__ import annotations

import pytest
import torch
from tiny_models import tiny_llama

from helpers import models, train
from helpers.answer_logits import answer_only_forward, target_positions
from helpers.chat import ChatCollator, ChatEncodingConfig, encode_records
from helpers.config import LoraSettings, ModelSettings, TrainSettings
from helpers.domain import load_split
from helpers.packing import PackedCollator


@pytest.fixture(scope="module")
def domain_examples(small_tokenizer):
    """8 real support chats (system prompt + question + answer), encoded with answer-only labels."""
    records = load_split("train")[:8]
    return encode_records(small_tokenizer, records, ChatEncodingConfig(max_length=256)).examples


def _grads(model) -> dict[str, torch.Tensor]:
    return {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}


def _full_and_kept(model, batch):
    """(loss, grads) the model's way (all logits), then ours (kept logits only)."""
    model.zero_grad()
    full = model(**batch).loss
    full.backward()
    full_grads = _grads(model)
    model.zero_grad()
    inputs = {k: v for k, v in batch.items() if k != "labels"}
    kept, out = answer_only_forward(model, inputs, batch["labels"])
    kept.backward()
    return full, full_grads, kept, _grads(model), out.logits.shape[1]


def test_target_positions_are_those_followed_by_a_target_in_any_row():
    labels = torch.tensor([[-100, -100, 5, 6, -100],
                           [-100, -100, -100, 7, 8]])
    assert target_positions(labels).tolist() == [1, 2, 3]  # predict labels at 2, 3, 4


@pytest.mark.parametrize("collate", ["padded", "packed"])
def test_kept_logits_give_the_same_loss_and_gradients(small_tokenizer, domain_examples, collate):
    model = tiny_llama(small_tokenizer, tie_word_embeddings=False)
    collator = (ChatCollator(small_tokenizer) if collate == "padded"
                else PackedCollator(small_tokenizer, row_tokens=None))
    batch = collator(domain_examples)
    full, full_grads, kept, kept_grads, n_kept = _full_and_kept(model, batch)
    assert kept.item() == pytest.approx(full.item(), abs=1e-6)
    assert full_grads.keys() == kept_grads.keys() and full_grads
    for name, grad in full_grads.items():
        torch.testing.assert_close(kept_grads[name], grad, atol=1e-6, rtol=1e-5, msg=name)
    # The point of it: the system prompt and question get no logits (here under half remain).
    assert n_kept < 0.5 * batch["input_ids"].shape[1]


def test_trainer_with_kept_logits_trains_like_plain_trainer(small_tokenizer, domain_examples,
                                                            tmp_path):
    """Same adapter after 2 updates of 2 accumulated micro-batches, with and without."""
    from tiny_models import save_tiny_llama

    base_dir = save_tiny_llama(tmp_path / "tiny", small_tokenizer, tie_word_embeddings=False)
    records = load_split("train")[:8]
    weights = {}
    for only in (True, False):
        model, tok = models.load_base(ModelSettings(model=str(base_dir), quant="none"))
        model = models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0), name="d")
        result = train.train(model, tok, records, None, TrainSettings(
            output_dir=str(tmp_path / f"run-{only}"), max_steps=2, batch_size=2, grad_accum=2,
            learning_rate=1e-2, eval_steps=0, save_steps=100, logging_steps=1, seed=0,
            answer_logits_only=only))
        weights[only] = ({n: p.detach().clone() for n, p in model.named_parameters()
                          if p.requires_grad}, [h["loss"] for h in result.history if "loss" in h])
    (w_kept, loss_kept), (w_full, loss_full) = weights[True], weights[False]
    assert loss_kept == pytest.approx(loss_full, abs=1e-5)
    for name, w in w_full.items():
        torch.testing.assert_close(w_kept[name], w, atol=1e-5, rtol=1e-4, msg=name)
    assert any((w != 0).any() for n, w in w_full.items() if "lora_B" in n)  # it really trained
