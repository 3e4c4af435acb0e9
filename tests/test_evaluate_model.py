"""helpers.evaluate with real models: perplexity (batched, padding masked) against a per-text
reference, and several adapters evaluated on ONE 4-bit base by name. Tiny random Llama; ~20 s."""

from __future__ import annotations

import json
import math

import pytest
import torch
from tiny_models import tiny_llama

from helpers import models
from helpers.config import LoraSettings, ModelSettings
from helpers.evaluate import (
    EvalSuite,
    PerplexityInputError,
    answer_loss,
    answer_loss_parts,
    evaluate_model,
    evaluate_variants,
    perplexity,
    token_f1_judge,
)
from helpers.evaluate.knowledge import score_knowledge
from helpers.generate import GenerationSettings
from helpers.paths import DOMAIN_DIR, INSTRUCTIONS_DIR

TEXTS = ["Ana has a red kite.", "On Monday Bo took the small blue cup to the market in Fernhill.",
         "Cats.", "Milo and Ida walked to the hill with three dogs and some bread and milk."]


def _build(path, tok, tie: bool):
    model = tiny_llama(tok, tie_word_embeddings=tie)
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return model


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory, small_tokenizer):
    path = tmp_path_factory.mktemp("tiny-eval")
    _build(path, small_tokenizer, tie=True)
    return path


def _reference_perplexity(model, tok, texts) -> float:
    """One text at a time, no padding: Hugging Face's own mean loss × predicted tokens."""
    total, count = 0.0, 0
    for text in texts:
        ids = torch.tensor([[tok.bos_token_id] + tok(text, add_special_tokens=False)["input_ids"]])
        with torch.no_grad():
            loss = model(input_ids=ids, labels=ids).loss.item()
        total += loss * (ids.shape[1] - 1)
        count += ids.shape[1] - 1
    return math.exp(total / count)


def test_perplexity_matches_per_text_reference_at_any_batch_size(tiny_dir):
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    ref = _reference_perplexity(model, tok, TEXTS)
    for batch_size in (1, 3, 16):  # padding differs per batch size; the result must not
        assert perplexity(model, tok, TEXTS, batch_size=batch_size) == pytest.approx(ref, rel=1e-5)


def test_perplexity_of_a_uniform_model_is_the_vocabulary_size(tmp_path, small_tokenizer):
    model = _build(tmp_path, small_tokenizer, tie=False)
    with torch.no_grad():
        model.lm_head.weight.zero_()  # every logit 0: each of V tokens equally likely
    assert perplexity(model, small_tokenizer, TEXTS) == pytest.approx(len(small_tokenizer), rel=1e-4)


def test_perplexity_needs_something_to_predict(tiny_dir):
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    with pytest.raises(PerplexityInputError, match="non-empty"):
        perplexity(model, tok, ["", ""])


def test_answer_loss_is_the_training_loss_over_answer_tokens(tiny_dir):
    from helpers.chat import ChatCollator, ChatEncodingConfig, encode_records

    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    with (DOMAIN_DIR / "test.jsonl").open() as f:
        records = [json.loads(line) for line in f][:5]
    data = encode_records(tok, records, ChatEncodingConfig(max_length=256))
    total = count = 0.0
    for ex in data.examples:  # Hugging Face's own loss: mean over label tokens, one at a time
        batch = ChatCollator(tok)([ex])
        with torch.no_grad():
            loss = model(**batch).loss.item()
        n = sum(1 for x in ex["labels"][1:] if x != -100)
        total, count = total + loss * n, count + n
    for batch_size in (1, 2, 8):  # right padding differs per batch size; the result must not
        assert answer_loss(model, tok, records, batch_size) == pytest.approx(total / count, rel=1e-5)


def test_answer_loss_parts_recombine_into_answer_loss(tiny_dir):
    """Content and end-of-turn losses, token-weighted, give back the single answer loss; the
    end-of-turn part is one token per record (the EOS `<|im_end|>` closing each answer)."""
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    with (INSTRUCTIONS_DIR / "test_seen.jsonl").open() as f:
        records = [json.loads(line) for line in f][::40][:6]  # six families, short answers
    parts = answer_loss_parts(model, tok, records, batch_size=4)
    assert parts.end_of_turn_tokens == len(records) and parts.content_tokens >= len(records)
    assert parts.content > 0 and parts.end_of_turn > 0
    whole = answer_loss(model, tok, records, batch_size=4)
    assert parts.total == pytest.approx(whole, rel=1e-5)
    n = parts.content_tokens + parts.end_of_turn_tokens
    mixed = (parts.content * parts.content_tokens + parts.end_of_turn * parts.end_of_turn_tokens) / n
    assert mixed == pytest.approx(whole, rel=1e-5)
    one = answer_loss_parts(model, tok, records, batch_size=1)  # padding must not matter
    assert (one.content_tokens, one.end_of_turn_tokens) == (parts.content_tokens, len(records))
    assert one.content == pytest.approx(parts.content, rel=1e-5)
    assert one.end_of_turn == pytest.approx(parts.end_of_turn, rel=1e-5)


def _perturbed_adapter(tiny_dir, tmp_path, name: str, seed: int):
    """A LoRA adapter whose B matrices are random (a trained-looking, non-zero update)."""
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir)))
    model = models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0), name, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if "lora_B" in pname:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    return models.save_adapter(model, tok, tmp_path / name, name)


def _suite(judge=None) -> EvalSuite:
    def read(path, n):
        with path.open() as f:
            return [json.loads(line) for line in f][:n]

    return EvalSuite(instruction={"seen": read(INSTRUCTIONS_DIR / "test_seen.jsonl", 4)},
                     domain=read(DOMAIN_DIR / "test.jsonl", 3),
                     domain_trained=[r for r in read(DOMAIN_DIR / "train.jsonl", 12)
                                     if r["kind"] == "fact"][:3],
                     heldout_texts=TEXTS,
                     generation=GenerationSettings(max_new_tokens=6), batch_size=4, judge=judge)


def test_adapters_switched_by_name_on_one_base(tiny_dir, tmp_path):
    paths = {n: _perturbed_adapter(tiny_dir, tmp_path, n, s) for n, s in (("one", 1), ("two", 2))}
    # A separate base: on CPUs with AVX512-bf16, bitsandbytes repacks 4-bit weights on the
    # first inference forward, and loading an adapter afterwards unpacks them again, which
    # shifts the numbers slightly. Load adapters before the first forward pass.
    bare, tok = models.load_base(ModelSettings(model=str(tiny_dir)))
    alone = evaluate_model(bare, tok, _suite())
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir)))
    for name, path in paths.items():
        model = models.load_adapter(model, path, name)
    res = evaluate_variants(model, tok, {"base": None, "one": "one", "two": "two",
                                         "one_again": "one"}, _suite(judge=token_f1_judge))
    ppl = {k: r.metrics["perplexity"] for k, r in res.items()}
    assert ppl["base"] == pytest.approx(alone.metrics["perplexity"], rel=1e-6)
    assert ppl["one"] == pytest.approx(ppl["one_again"], rel=1e-6)  # switching back restores it
    assert len({round(ppl[k], 6) for k in ("base", "one", "two")}) == 3  # different weights
    assert res["base"].details == alone.details  # same greedy answers as the bare base
    m = res["one"].metrics
    for key in ("seen_accuracy", "seen_length_stop", "domain_fact_accuracy",
                "domain_length_stop", "domain_judge"):
        assert m[key] is not None and 0.0 <= m[key] <= 1.0, key
    assert m["seen_answer_loss"] > 0 and m["domain_answer_loss"] > 0
    assert res["one"].metrics["seen_answer_loss"] != res["two"].metrics["seen_answer_loss"]
    assert res["one"].details["seen"]["samples"][0]["stop"] in ("eos", "length")
    # Every answer is kept, in record order, so it can be scored again without generating twice.
    suite = _suite()
    for split, records in (("seen", suite.instruction["seen"]), ("domain", suite.domain)):
        answers = res["one"].answers[split]
        assert len(answers) == len(records)
        assert [s["generated"] for s in res["one"].details[split]["samples"]] == answers[:suite.samples]
    rescored = score_knowledge(suite.domain, res["one"].answers["domain"]).row()
    assert rescored["facts"] == m["domain_fact_accuracy"]
    # Trained phrasings are generated and scored apart from the test's (memorised vs learned).
    trained = res["one"].answers["domain_trained"]
    assert len(trained) == len(suite.domain_trained) == 3
    assert (score_knowledge(suite.domain_trained, trained).row()["facts"]
            == m["domain_trained_fact_accuracy"])
