"""helpers.chat encoding: labels equal transformers' own assistant mask; truncation; dropping."""

from __future__ import annotations

import copy

import pytest

from helpers.chat import (
    IGNORE_INDEX,
    ChatEncodingConfig,
    ChatFormatError,
    ChatTemplateError,
    check_round_trip,
    encode_conversation,
    encode_prompt,
    encode_records,
)
from helpers.tokenizer import CHATML_TEMPLATE, IM_END

LONG = " ".join(["Ana walked the small red apple to the market in Ashford on Monday."] * 8)

CONVERSATIONS = {
    "single": [
        {"role": "user", "content": "Where did Ana walk?"},
        {"role": "assistant", "content": "Ana walked to the market."},
    ],
    "system": [
        {"role": "system", "content": "You answer in one short sentence."},
        {"role": "user", "content": "Who fixed the lamp?"},
        {"role": "assistant", "content": "Ben fixed the lamp."},
    ],
    "empty_system": [
        {"role": "system", "content": ""},
        {"role": "user", "content": "Count the goats."},
        {"role": "assistant", "content": "There are three goats."},
    ],
    "multi_turn": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Who sold the cup?"},
        {"role": "assistant", "content": "Cora sold the cup."},
        {"role": "user", "content": "And where?"},
        {"role": "assistant", "content": "At the bakery.\nOn Friday."},
        {"role": "user", "content": "Thanks!"},
        {"role": "assistant", "content": ""},
    ],
    "unicode": [
        {"role": "user", "content": "Où est le café ? 猫はどこ？ 🐈‍⬛🍰"},
        {"role": "assistant", "content": "Le café est à Brookvale. 猫は公園にいます 🐾 ✓"},
    ],
}


def _oracle(tokenizer, messages) -> tuple[list[int], list[int]]:
    out = tokenizer.apply_chat_template(
        messages, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    return list(out["input_ids"]), list(out["assistant_masks"])


def _trained(example) -> list[int]:
    return [t for t in example["labels"] if t != IGNORE_INDEX]


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_labels_equal_transformers_assistant_mask(small_tokenizer, name):
    messages = CONVERSATIONS[name]
    ex = encode_conversation(small_tokenizer, messages, ChatEncodingConfig(max_length=4096))
    ids, mask = _oracle(small_tokenizer, messages)
    assert ex["input_ids"] == ids
    assert [int(lab != IGNORE_INDEX) for lab in ex["labels"]] == mask
    assert ex["attention_mask"] == [1] * len(ids)
    assert [lab for lab in ex["labels"] if lab != IGNORE_INDEX] == [
        i for i, m in zip(ids, mask) if m
    ]


@pytest.mark.parametrize("name", sorted(CONVERSATIONS))
def test_trained_tokens_are_exactly_the_answers_and_their_eos(small_tokenizer, name):
    """Independent of transformers: decode what is trained and compare with the data."""
    messages = CONVERSATIONS[name]
    ex = encode_conversation(small_tokenizer, messages, ChatEncodingConfig(max_length=4096))
    # The kit's template starts every message with one space (see helpers.tokenizer).
    expected = "".join(" " + m["content"] + IM_END for m in messages if m["role"] == "assistant")
    assert small_tokenizer.decode(_trained(ex), skip_special_tokens=False) == expected
    eos = small_tokenizer.eos_token_id
    n_answers = sum(m["role"] == "assistant" for m in messages)
    assert _trained(ex).count(eos) == n_answers  # every turn's EOS is trained
    assert small_tokenizer.pad_token_id != eos


def test_golden_ids_and_label_count(small_tokenizer):
    """Pins the tokenizer + template + mask pipeline: any drift changes these numbers."""
    ex = encode_conversation(small_tokenizer, CONVERSATIONS["system"], ChatEncodingConfig())
    assert ex["input_ids"] == GOLDEN_IDS
    assert len(_trained(ex)) == GOLDEN_TRAINED
    assert ex["labels"][-2:] == [
        small_tokenizer.eos_token_id,
        IGNORE_INDEX,
    ]  # EOS trained, "\n" not


def test_keep_start_drops_the_end_of_a_long_answer(small_tokenizer):
    messages = [{"role": "user", "content": "Tell me."}, {"role": "assistant", "content": LONG}]
    ids, mask = _oracle(small_tokenizer, messages)
    cfg = ChatEncodingConfig(max_length=len(ids) - 10, truncation="keep_start")
    ex = encode_conversation(small_tokenizer, messages, cfg)
    assert ex["input_ids"] == ids[: cfg.max_length]
    assert [int(lab != IGNORE_INDEX) for lab in ex["labels"]] == mask[: cfg.max_length]
    assert small_tokenizer.eos_token_id not in _trained(ex)  # the answer's end (and EOS) is gone


def test_keep_end_drops_the_beginning_of_a_long_prompt(small_tokenizer):
    messages = [
        {"role": "system", "content": "Be kind."},
        {"role": "user", "content": LONG},
        {"role": "assistant", "content": "Done."},
    ]
    ids, mask = _oracle(small_tokenizer, messages)
    cfg = ChatEncodingConfig(max_length=len(ids) - 10, truncation="keep_end")
    ex = encode_conversation(small_tokenizer, messages, cfg)
    assert ex["input_ids"] == ids[-cfg.max_length :]
    assert [int(lab != IGNORE_INDEX) for lab in ex["labels"]] == mask[-cfg.max_length :]
    assert small_tokenizer.decode(_trained(ex), skip_special_tokens=False) == " Done." + IM_END  # template adds the leading space
    assert "Be kind." not in small_tokenizer.decode(ex["input_ids"])  # the system prompt is cut


def test_all_masked_after_truncation_is_dropped_and_counted(small_tokenizer):
    long_prompt = [{"role": "user", "content": LONG}, {"role": "assistant", "content": "Yes."}]
    records = [
        {"id": "ok", "messages": CONVERSATIONS["single"]},
        {"id": "cut", "messages": long_prompt},
        {"id": "no-answer", "messages": [{"role": "user", "content": "Hello?"}]},
    ]
    cfg = ChatEncodingConfig(max_length=40, truncation="keep_start")
    assert encode_conversation(small_tokenizer, long_prompt, cfg) is None
    data = encode_records(small_tokenizer, records, cfg)
    assert len(data) == 1 and data.kept_indices == [0]
    assert [(d.index, d.id) for d in data.dropped] == [(1, "cut"), (2, "no-answer")]
    assert "truncated" in data.dropped[0].reason and "max_length=40" in data.dropped[0].reason
    assert "no assistant" in data.dropped[1].reason
    assert all(_trained(ex) for ex in data.examples)  # nothing with zero trained tokens passes
    summary = data.summary()
    assert "kept 1 of 3" in summary and "dropped 2" in summary


def test_encode_records_counts_truncated_examples(small_tokenizer):
    records = [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": LONG}]}
    ]
    data = encode_records(small_tokenizer, records, ChatEncodingConfig(max_length=30))
    assert len(data) == 1 and data.n_truncated == 1 and len(data[0]["input_ids"]) == 30
    assert "1 truncated" in data.summary()


@pytest.mark.parametrize(
    "bad, field",
    [
        ([{"role": "bot", "content": "x"}], "'role'"),
        ([{"role": "user", "content": None}], "'content'"),
        ([{"role": "user", "content": "a <|im_end|> b"}], "special token"),
        ([], "non-empty"),
    ],
)
def test_malformed_messages_raise_with_location(small_tokenizer, bad, field):
    with pytest.raises(ChatFormatError, match=field):
        encode_conversation(small_tokenizer, bad, ChatEncodingConfig())


def test_malformed_record_names_its_index(small_tokenizer):
    records = [
        {"messages": CONVERSATIONS["single"]},
        {"id": 7, "messages": [{"role": "x", "content": ""}]},
    ]
    with pytest.raises(ChatFormatError, match=r"record 1 \(id=7\).*message 0"):
        encode_records(small_tokenizer, records, ChatEncodingConfig())
    with pytest.raises(ChatFormatError, match="record 0"):
        encode_records(small_tokenizer, [{"text": "no messages"}], ChatEncodingConfig())


@pytest.mark.parametrize("kwargs", [{"truncation": "left"}, {"max_length": 0}])
def test_config_rejects_bad_values(kwargs):
    with pytest.raises(ChatFormatError):
        ChatEncodingConfig(**kwargs)


def test_encode_prompt_is_prefix_before_the_final_answer(small_tokenizer):
    messages = CONVERSATIONS["multi_turn"][:5]
    prompt = encode_prompt(small_tokenizer, messages)
    assert prompt == encode_prompt(small_tokenizer, messages[:-1])  # final answer is ignored
    text = small_tokenizer.decode(prompt, skip_special_tokens=False)
    assert text.endswith("And where?<|im_end|>\n<|im_start|>assistant\n")
    assert "At the bakery" not in text
    for messages in CONVERSATIONS.values():
        check_round_trip(small_tokenizer, messages)


def _with_template(tokenizer, old: str, new: str):
    broken = copy.deepcopy(tokenizer)
    broken.chat_template = CHATML_TEMPLATE.replace(old, new)
    assert broken.chat_template != CHATML_TEMPLATE  # the replacement really happened
    return broken


def test_round_trip_catches_a_different_generation_prompt(small_tokenizer):
    broken = _with_template(
        small_tokenizer,
        "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant' + '\\n' -}}",
        "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant' + ':\\n' -}}",
    )
    with pytest.raises(ChatTemplateError, match="mismatch at token"):
        check_round_trip(broken, CONVERSATIONS["system"])


def test_round_trip_catches_an_untrained_eos(small_tokenizer):
    broken = _with_template(
        small_tokenizer,
        "{{- ' ' + message['content'] + '<|im_end|>' -}}{%- endgeneration -%}{{- '\\n' -}}",
        "{{- ' ' + message['content'] -}}{%- endgeneration -%}{{- '<|im_end|>' + '\\n' -}}",
    )
    with pytest.raises(ChatTemplateError, match="never learn to stop"):
        check_round_trip(broken, CONVERSATIONS["system"])
    with pytest.raises(ChatFormatError, match="ending with an assistant"):
        check_round_trip(small_tokenizer, CONVERSATIONS["system"][:2])


# Golden values for test_golden_ids_and_label_count (tokenizer from tests/conftest.py).
# "<|im_start|>system\nYou answer in one short sentence.<|im_end|>\n<|im_start|>user\n..."
GOLDEN_IDS = [
    2, 86, 92, 86, 280, 80, 202, 224, 60, 371, 224, 264, 86, 90, 289, 224,
    263, 224, 340, 224, 354, 224, 86, 270, 533, 506, 17, 3, 202, 2, 88, 86,
    289, 202, 224, 58, 75, 82, 224, 583, 224, 261, 224, 663, 34, 3, 202, 2,
    68, 86, 86, 76, 305, 264, 87, 202, 224, 640, 224, 583, 224, 261, 224, 663,
    17, 3, 202,
]
# " Ben fixed the lamp." is 9 tokens (every space is its own token `Ġ`, see helpers.tokenizer:
# Ġ Ben Ġ fixed Ġ the Ġ lamp .), plus <|im_end|>
GOLDEN_TRAINED = 10
