"""Logits only where there is something to predict: the same loss, a fraction of the memory.

A causal LM's head turns every position into a vocabulary-sized row of logits: batch × length ×
vocab floats, upcast to fp32 for the cross-entropy. With completion-only labels most positions
(system prompt, user turn, padding) have no target, so their logits are computed, stored for the
backward pass, and thrown away. For Llama-3.2-1B (128k vocab) at batch 8 × 1024 tokens that is
~4 GiB of fp32 logits; answers are often a third of the tokens or less.

transformers' causal LMs take `logits_to_keep`: the positions whose logits to compute. We pass
the positions whose *next* token is a target, in any row of the batch (one index list shared by
the rows, which every transformers 5.x version accepts), and compute the shifted cross-entropy on
just those. Packed batches are one row, so there it is exactly the answer tokens.

The loss equals the full-logits loss (tests/test_answer_logits.py checks loss and gradients),
including Trainer's token-count normalisation across gradient accumulation and DDP processes.
"""

from __future__ import annotations

import inspect

# Label of positions without a target (prompt, padding, packing boundaries): the kit's one.
from helpers.chat.encode import IGNORE_INDEX


def target_positions(labels):
    """Positions t (a 1-D LongTensor) whose logits predict a target: labels[:, t + 1] is set
    in at least one row."""
    import torch

    has_next_target = (labels[:, 1:] != IGNORE_INDEX).any(dim=0)
    return torch.nonzero(has_next_target, as_tuple=False).flatten()


def answer_loss_from_kept(logits, labels, positions, num_items_in_batch=None):
    """Cross-entropy of kept logits [batch, len(positions), vocab] against labels[:, positions+1].

    Sum over target tokens divided by `num_items_in_batch` when Trainer gives it (that is how
    it keeps gradient accumulation exact), else the mean over target tokens, like
    transformers' ForCausalLMLoss.
    """
    import torch.nn.functional as F

    targets = labels[:, positions + 1].to(logits.device)
    reduction = "sum" if num_items_in_batch is not None else "mean"
    loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=IGNORE_INDEX, reduction=reduction)
    if num_items_in_batch is not None:
        loss = loss / num_items_in_batch
    return loss


def answer_only_forward(model, inputs: dict, labels, num_items_in_batch=None):
    """Run `model` on `inputs` (no labels) with logits only at target positions of `labels`;
    returns (loss, outputs). outputs.logits is [batch, kept positions, vocab]."""
    positions = target_positions(labels)
    outputs = model(**inputs, logits_to_keep=positions.to(labels.device))
    return answer_loss_from_kept(outputs.logits, labels, positions, num_items_in_batch), outputs


def accepts_logits_to_keep(model) -> bool:
    """Does the (possibly peft-wrapped) model's causal-LM forward take `logits_to_keep`?"""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    inner = getattr(inner, "module", inner)  # DDP / DataParallel wrappers
    try:
        return "logits_to_keep" in inspect.signature(inner.forward).parameters
    except (TypeError, ValueError):
        return False


def answer_logits_trainer_class():
    """A transformers.Trainer whose loss computes logits only at target positions.

    Falls back to the model's own loss for models without `logits_to_keep` (older remote code).
    """
    from transformers import Trainer

    class AnswerLogitsTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if ("labels" not in inputs or self.args.n_gpu > 1  # DataParallel would split positions
                    or not accepts_logits_to_keep(model)):
                return super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
            inputs = dict(inputs)
            labels = inputs.pop("labels")
            use_count = self.model_accepts_loss_kwargs and num_items_in_batch is not None
            loss, outputs = answer_only_forward(model, inputs, labels,
                                                num_items_in_batch if use_count else None)
            if self.args.average_tokens_across_devices and use_count:
                # Trainer counted target tokens over all processes; DDP averages gradients,
                # so scale back up exactly as Trainer.compute_loss does.
                loss = loss * self.accelerator.num_processes
            return (loss, outputs) if return_outputs else loss

    return AnswerLogitsTrainer
