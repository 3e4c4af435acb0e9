"""helpers.chat.ensure_chat_template on hub-like tokenizers (no template, or no markers)."""

from __future__ import annotations

import copy

import pytest
from chat_oracle import CHATML_ANSWER, LLAMA3_ANSWER, expected_answers, oracle_mask

from helpers.chat import (
    ChatEncodingConfig,
    ChatTemplateError,
    check_round_trip,
    encode_conversation,
    ensure_chat_template,
    has_generation_markers,
)
from helpers.tokenizer import CHATML_TEMPLATE, IM_END, IM_START, PAD_TOKEN

# A ChatML template as hub models ship it (Qwen2.5/SmolLM2 style): no {% generation %} markers.
MARKERLESS_CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Who found the key?"},
    {"role": "assistant", "content": "Ida found the key."},
    {"role": "user", "content": "Where?"},
    {"role": "assistant", "content": "In the garden."},
]


@pytest.fixture(scope="module")
def base_backend(world_texts):
    """A `tokenizers` BPE like a base model's: only <|endoftext|>, no ChatML tokens, no pad."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=500,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(world_texts[:500], trainer)
    return tok


def _base_tokenizer(backend, **specials):
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=copy.deepcopy(backend), eos_token="<|endoftext|>", **specials
    )


def _assert_trains_answers(tokenizer):
    out = tokenizer.apply_chat_template(
        MESSAGES, return_dict=True, return_assistant_tokens_mask=True
    )
    ex = encode_conversation(tokenizer, MESSAGES, ChatEncodingConfig())
    assert [int(lab != -100) for lab in ex["labels"]] == list(out["assistant_masks"])
    trained = [t for t in ex["labels"] if t != -100]
    assert tokenizer.decode(trained, skip_special_tokens=False) == (
        " Ida found the key." + IM_END + " In the garden." + IM_END  # leading space: template
    )
    check_round_trip(tokenizer, MESSAGES)


def test_no_template_gets_chatml_specials_and_a_reused_pad(base_backend, tmp_path):
    from transformers import AutoTokenizer

    tok = _base_tokenizer(base_backend)
    n_before = len(tok)
    with pytest.raises(ChatTemplateError, match="no chat template"):
        encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    added = ensure_chat_template(tok)
    assert added == [IM_START, IM_END]  # no <|pad|>: the old EOS pads
    assert len(tok) == n_before + 2  # the caller must resize the model's embeddings
    assert tok.chat_template == CHATML_TEMPLATE
    assert tok.eos_token == IM_END and tok.pad_token == "<|endoftext|>"
    assert tok.tokenize("a<|im_start|>b") == ["a", IM_START, "b"]  # atomic special token
    _assert_trains_answers(tok)
    # Saved beside an adapter and reloaded the standard way, it is still right.
    tok.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert (reloaded.eos_token, reloaded.pad_token) == (IM_END, "<|endoftext|>")
    assert ensure_chat_template(reloaded) == []
    _assert_trains_answers(reloaded)


def _hub_like_tokenizer(backend, **specials):
    """A SmolLM2-like base tokenizer: ChatML tokens in the vocabulary, no template, no pad."""
    tok = _base_tokenizer(backend, **specials)
    tok.add_special_tokens({"extra_special_tokens": [IM_START, IM_END]})
    return tok


def test_hub_tokenizer_without_pad_keeps_its_vocabulary(base_backend, tmp_path):
    """A new <|pad|> resized the embeddings: every adapter then stored the whole matrix, and
    plain PeftModel.from_pretrained on the hub base failed without resizing first."""
    from peft import PeftModel
    from safetensors.torch import load_file
    from tiny_models import save_tiny_llama
    from transformers import AutoModelForCausalLM

    from helpers import models
    from helpers.config import LoraSettings, ModelSettings

    tok = _hub_like_tokenizer(base_backend)
    assert tok.pad_token is None
    base_dir = save_tiny_llama(tmp_path / "base", tok)
    model, loaded = models.load_base(ModelSettings(model=str(base_dir), quant="none"))
    assert len(loaded) == len(tok)
    assert model.get_input_embeddings().num_embeddings == len(tok)
    assert loaded.pad_token_id is not None and loaded.pad_token_id != loaded.eos_token_id
    model = models.attach_lora(model, loaded, LoraSettings(r=2, alpha=4, dropout=0.0))
    out = models.save_adapter(model, loaded, tmp_path / "adapter", "default")
    saved = load_file(out / "adapter_model.safetensors")
    assert not any(t.shape[0] == len(tok) for t in saved.values())  # no full embedding matrix
    plain = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(base_dir), str(out))
    assert plain.config.vocab_size == len(tok)


def test_pad_equal_to_eos_still_trains_each_turns_eos():
    """Nothing but EOS to pad with: pad == EOS, and the collator keeps EOS's label anyway,
    because labels come from the assistant mask, not from `input_ids == pad_token_id`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    from helpers.chat import ChatCollator

    # No unk, no spare or other special token to reuse: only the ChatML markers.
    backend = Tokenizer(models.BPE())
    backend.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    backend.decoder = decoders.ByteLevel()
    backend.train_from_iterator(
        [m["content"] for m in MESSAGES] * 20,
        trainers.BpeTrainer(vocab_size=300, special_tokens=[IM_START, IM_END], show_progress=False,
                            initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token=IM_END)
    tok.chat_template = CHATML_TEMPLATE  # has {% generation %} markers: kept as it is
    n_before = len(tok)
    assert ensure_chat_template(tok) == []
    assert len(tok) == n_before and tok.pad_token_id == tok.eos_token_id
    short = encode_conversation(tok, MESSAGES[:3], ChatEncodingConfig())
    long_ = encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    batch = ChatCollator(tok)([short, long_])
    eos = tok.eos_token_id
    for row, ex in zip(batch["labels"].tolist(), (short, long_)):
        assert row[: len(ex["labels"])] == ex["labels"]
        assert set(row[len(ex["labels"]):]) <= {-100}  # padding is never trained
    trained_eos = [sum(1 for t in row if t == eos) for row in batch["labels"].tolist()]
    assert trained_eos == [1, 2]  # one per assistant turn, padding with EOS notwithstanding


MULTI_TURN_UNICODE = [
    {"role": "system", "content": "Réponds brièvement. 猫"},
    {"role": "user", "content": "Où est le café ? 🐈‍⬛"},
    {"role": "assistant", "content": "À Brookvale. 猫は公園 🐾 ✓"},
    {"role": "user", "content": "Merci"},
    {"role": "assistant", "content": ""},
    {"role": "user", "content": "Why?\nSay it twice."},
    {"role": "assistant", "content": "Because.\nBecause."},
]


def _assert_masks_equal_oracle(tok, template, answer=CHATML_ANSWER, end=IM_END):
    """Labels == the regex oracle on the ORIGINAL template; ids == its tokenization."""
    for messages in (MESSAGES, MESSAGES[1:3], MULTI_TURN_UNICODE):
        ex = encode_conversation(tok, messages, ChatEncodingConfig(max_length=4096))
        ids, mask = oracle_mask(tok, messages, template, answer)
        assert ex["input_ids"] == ids
        assert [int(lab != -100) for lab in ex["labels"]] == mask
        trained = [t for t in ex["labels"] if t != -100]
        assert tok.decode(trained, skip_special_tokens=False) == expected_answers(messages, end)
        check_round_trip(tok, messages)


def test_markerless_template_is_kept_and_masked_by_prefixes(base_backend):
    """Issue 15, defect 6: a hub template without {% generation %} markers was replaced by the
    kit's ChatML (a space before every message, no bos). It is kept, and its masks are exactly
    the answers and their <|im_end|>, as the original template renders them."""
    tok = _base_tokenizer(base_backend, pad_token="<|endoftext|>")  # Qwen2.5-base-like
    tok.add_special_tokens({"extra_special_tokens": [IM_START, IM_END]})
    tok.chat_template = MARKERLESS_CHATML
    # The pitfall itself: transformers marks nothing, so nothing would be trained.
    out = tok.apply_chat_template(MESSAGES, return_dict=True, return_assistant_tokens_mask=True)
    assert not any(out["assistant_masks"])
    assert not has_generation_markers(tok)
    # EOS is still the pretraining <|endoftext|>: the answers' end cannot be found.
    with pytest.raises(ChatTemplateError, match="does not end with the EOS token"):
        encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    assert ensure_chat_template(tok) == []
    assert tok.chat_template == MARKERLESS_CHATML  # the model's own format, unchanged
    assert tok.eos_token == IM_END and tok.pad_token == "<|endoftext|>"
    _assert_masks_equal_oracle(tok, MARKERLESS_CHATML)


# Llama-3-Instruct's format, shortened: a bos, headers, <|eot_id|> closing every turn.
LLAMA3_TEMPLATE = (
    "{{- bos_token }}{%- for message in messages %}"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' "
    "+ message['content'] | trim + '<|eot_id|>' }}{%- endfor %}"
    "{%- if add_generation_prompt %}"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{%- endif %}"
)
LLAMA3_SPECIALS = ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]


def test_llama3_like_template_keeps_its_bos_and_ends_turns_on_eot(base_backend):
    """Replaced by ChatML, Llama-3 lost <|begin_of_text|>; kept, <|eot_id|> becomes the EOS."""
    tok = _base_tokenizer(base_backend, bos_token="<|begin_of_text|>")
    tok.add_special_tokens({"extra_special_tokens": LLAMA3_SPECIALS})
    tok.chat_template = LLAMA3_TEMPLATE
    assert ensure_chat_template(tok) == []
    assert tok.chat_template == LLAMA3_TEMPLATE and tok.eos_token == "<|eot_id|>"
    assert tok.pad_token not in (tok.eos_token, None)
    ex = encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    assert ex["input_ids"][0] == tok.convert_tokens_to_ids("<|begin_of_text|>")
    _assert_masks_equal_oracle(tok, LLAMA3_TEMPLATE, LLAMA3_ANSWER, "<|eot_id|>")


def test_template_that_rewrites_earlier_turns_is_refused(base_backend):
    """Qwen3-like: earlier answers render differently once more turns follow. Prefixes cannot
    locate them, so encoding raises instead of training on the wrong tokens."""
    tok = _base_tokenizer(base_backend)
    tok.add_special_tokens({"extra_special_tokens": [IM_START, IM_END]})
    tok.chat_template = MARKERLESS_CHATML.replace(
        "message['content']", "(message['content'] if loop.last else '...')")
    ensure_chat_template(tok)
    with pytest.raises(ChatTemplateError, match="Cannot find assistant message"):
        encode_conversation(tok, MESSAGES, ChatEncodingConfig())


def test_no_template_at_all_says_it_installs_chatml(base_backend):
    tok = _base_tokenizer(base_backend)
    with pytest.warns(UserWarning, match="no chat template: installing the kit's ChatML"):
        ensure_chat_template(tok)


def test_pad_equal_to_eos_gets_a_distinct_pad(small_tokenizer):
    tok = copy.deepcopy(small_tokenizer)
    tok.pad_token = tok.eos_token  # the classic bug: EOS masked as padding
    assert ensure_chat_template(tok) == []  # <|pad|> is already in the kit's vocabulary
    assert tok.pad_token == PAD_TOKEN and tok.pad_token_id != tok.eos_token_id


def test_kit_tokenizer_is_left_unchanged(small_tokenizer):
    tok = copy.deepcopy(small_tokenizer)
    before = (tok.chat_template, tok.eos_token, tok.pad_token, len(tok))
    assert ensure_chat_template(tok) == []
    assert (tok.chat_template, tok.eos_token, tok.pad_token, len(tok)) == before


def test_dict_of_named_templates_is_understood(small_tokenizer):
    tok = copy.deepcopy(small_tokenizer)
    tok.chat_template = {"default": CHATML_TEMPLATE, "tool_use": MARKERLESS_CHATML}
    assert has_generation_markers(tok)
    tok.chat_template = {"default": MARKERLESS_CHATML}
    assert not has_generation_markers(tok)
