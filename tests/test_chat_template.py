"""helpers.chat.ensure_chat_template on hub-like tokenizers (no template, or no markers)."""

from __future__ import annotations

import copy

import pytest

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


def test_no_template_gets_chatml_specials_and_pad(base_backend, tmp_path):
    from transformers import AutoTokenizer

    tok = _base_tokenizer(base_backend)
    n_before = len(tok)
    with pytest.raises(ChatTemplateError, match="no chat template"):
        encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    added = ensure_chat_template(tok)
    assert added == [IM_START, IM_END, PAD_TOKEN]
    assert len(tok) == n_before + 3  # the caller must resize the model's embeddings
    assert tok.chat_template == CHATML_TEMPLATE
    assert tok.eos_token == IM_END and tok.pad_token == PAD_TOKEN
    assert tok.tokenize("a<|im_start|>b") == ["a", IM_START, "b"]  # atomic special token
    _assert_trains_answers(tok)
    # Saved beside an adapter and reloaded the standard way, it is still right.
    tok.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert (reloaded.eos_token, reloaded.pad_token) == (IM_END, PAD_TOKEN)
    assert ensure_chat_template(reloaded) == []
    _assert_trains_answers(reloaded)


def test_markerless_template_is_replaced(base_backend):
    tok = _base_tokenizer(base_backend, pad_token="<|endoftext|>")  # Qwen2.5-base-like
    tok.add_special_tokens({"extra_special_tokens": [IM_START, IM_END]})
    tok.chat_template = MARKERLESS_CHATML
    # The pitfall itself: transformers marks nothing, so nothing would be trained.
    out = tok.apply_chat_template(MESSAGES, return_dict=True, return_assistant_tokens_mask=True)
    assert not any(out["assistant_masks"])
    assert not has_generation_markers(tok)
    with pytest.raises(ChatTemplateError, match="no \\{% generation %\\} markers"):
        encode_conversation(tok, MESSAGES, ChatEncodingConfig())
    assert ensure_chat_template(tok) == []  # tokens exist; old pad now differs from the new EOS
    assert has_generation_markers(tok)
    assert tok.eos_token == IM_END and tok.pad_token == "<|endoftext|>"
    _assert_trains_answers(tok)


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
