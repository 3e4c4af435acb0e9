"""helpers.chat: the collator (padding never trained, EOS always trained) and the mask view."""

from __future__ import annotations

import copy
import re

import pytest

from helpers.chat import (
    ChatCollator,
    ChatEncodingConfig,
    ChatTemplateError,
    encode_records,
    mask_view,
)

RECORDS = [
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]},
    {
        "messages": [
            {"role": "system", "content": "Answer with a sentence."},
            {"role": "user", "content": "What did Gia paint?"},
            {"role": "assistant", "content": "Gia painted the old blue chair."},
        ]
    },
]


@pytest.fixture(scope="module")
def data(small_tokenizer):
    return encode_records(small_tokenizer, RECORDS, ChatEncodingConfig())


def test_collator_right_pads_with_pad_mask_and_ignore(small_tokenizer, data):
    import torch

    batch = ChatCollator(small_tokenizer)(data.examples)
    short, long_ = (len(e["input_ids"]) for e in data.examples)
    assert short < long_
    assert {k: tuple(v.shape) for k, v in batch.items()} == {
        k: (2, long_) for k in ("input_ids", "attention_mask", "labels")
    }
    assert all(v.dtype == torch.long for v in batch.values())
    pad = small_tokenizer.pad_token_id
    assert batch["input_ids"][0, :short].tolist() == data[0]["input_ids"]
    assert batch["input_ids"][0, short:].tolist() == [pad] * (long_ - short)
    assert batch["attention_mask"][0].tolist() == [1] * short + [0] * (long_ - short)
    assert batch["labels"][0].tolist() == data[0]["labels"] + [-100] * (long_ - short)
    assert batch["labels"][1].tolist() == data[1]["labels"]


def test_collator_pad_to_multiple_and_tensor_inputs(small_tokenizer, data):
    batch = ChatCollator(small_tokenizer, pad_to_multiple_of=16)(data.examples)
    assert batch["input_ids"].shape[1] % 16 == 0
    again = ChatCollator(small_tokenizer)([{k: v[0] for k, v in batch.items()}])
    assert again["labels"].tolist() == batch["labels"][:1].tolist()


def test_collator_with_pad_equal_to_eos_keeps_eos_trained(small_tokenizer, data):
    """Labels are padded with -100 by position, so pad == EOS hides no EOS from the loss."""
    tok = copy.deepcopy(small_tokenizer)
    tok.pad_token = tok.eos_token
    batch = ChatCollator(tok)(data.examples)
    for row, ex in zip(batch["labels"].tolist(), data.examples):
        assert row[: len(ex["labels"])] == ex["labels"] and tok.eos_token_id in ex["labels"]


def test_collator_refuses_a_tokenizer_without_pad(small_tokenizer):
    tok = copy.deepcopy(small_tokenizer)
    tok.pad_token = None
    with pytest.raises(ChatTemplateError, match="no pad token"):
        ChatCollator(tok)


def test_padding_does_not_change_the_loss(small_tokenizer, data):
    """Real model: the loss of an example is the same alone and right-padded in a batch."""
    import torch
    from tiny_models import tiny_llama

    model = tiny_llama(small_tokenizer, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                       num_attention_heads=2, num_key_value_heads=2,
                       tie_word_embeddings=False).eval()
    alone = ChatCollator(small_tokenizer)([data[0]])
    padded = ChatCollator(small_tokenizer, pad_to_multiple_of=64)([data[0]])
    assert padded["input_ids"].shape[1] > alone["input_ids"].shape[1]
    with torch.no_grad():
        loss_alone, loss_padded = model(**alone).loss, model(**padded).loss
    assert torch.isfinite(loss_alone)
    assert loss_padded.item() == pytest.approx(loss_alone.item(), abs=1e-5)


def test_mask_view_text_marks_trained_spans(small_tokenizer, data):
    view = mask_view(small_tokenizer, data[1])
    text = str(view)
    assert "[[ Gia painted the old blue chair.<|im_end|>]]↵" in text
    assert "<|im_start|>user↵\n What did Gia paint?<|im_end|>↵" in text
    assert view.n_trained == sum(x != -100 for x in data[1]["labels"])
    assert view.n_tokens == len(data[1]["input_ids"])


def test_mask_view_html_escapes_and_keeps_unicode(small_tokenizer):
    messages = [
        {"role": "user", "content": "Is <b>5 & 6</b> bold? 猫 café"},
        {"role": "assistant", "content": "Non, 🐈‍⬛ ça va."},
    ]
    data = encode_records(small_tokenizer, [{"messages": messages}], ChatEncodingConfig())
    view = mask_view(small_tokenizer, data[0])
    html_out = view._repr_html_()
    shown = re.sub(r"<[^>]*>", "", html_out)  # the text a browser displays, still escaped
    assert "&lt;b&gt;5 &amp; 6&lt;/b&gt;" in shown  # data is escaped, not rendered as HTML
    assert "&lt;|im_start|&gt;" in shown and "↵<br>" in html_out
    # Multi-byte characters split over byte tokens are shown whole, never as U+FFFD.
    assert "\ufffd" not in str(view)
    assert "[[ Non, 🐈‍⬛ ça va.<|im_end|>]]" in str(view)
    assert "猫 café" in str(view)


def test_mask_view_shows_padding_from_a_batch(small_tokenizer, data):
    batch = ChatCollator(small_tokenizer)(data.examples)
    view = mask_view(small_tokenizer, {k: v[0] for k, v in batch.items()})
    assert view.n_tokens == len(data[0]["input_ids"])  # padding is not counted as a token
    assert [s.kind for s in view.segments].count("padding") == (
        batch["input_ids"].shape[1] - len(data[0]["input_ids"])
    )
