"""Embedding rows the base never trained: the committed list, reading it, and LoRA training them."""

from __future__ import annotations

import json
import shutil

import pytest
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers import models
from helpers.config import LoraSettings, ModelSettings
from helpers.paths import MICRO_MODEL_DIR
from helpers.untrained_tokens import (
    UNTRAINED_TOKENS_FILE,
    UntrainedTokensError,
    read_untrained_token_ids,
)
from helpers.world import COLORS, OBJECTS, PEOPLE

needs_micro = pytest.mark.skipif(not (MICRO_MODEL_DIR / "config.json").exists(),
                                 reason="bundled micro model missing")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    texts = [f"{p} has a {c} {o}." for p in PEOPLE for c in COLORS for o in OBJECTS[:6]]
    return save_tiny_llama(tmp_path_factory.mktemp("tiny"), sentence_tokenizer(texts * 2))


def _indices(peft_model, name: str) -> list[int]:
    return sorted(peft_model.peft_config[name].trainable_token_indices)


def test_a_folder_without_the_list_trains_only_the_chat_rows(tiny_dir):
    """Hub models ship no list: the flag then changes nothing (and does not fail)."""
    model, tok = models.load_base(ModelSettings(model=str(tiny_dir), quant="none"))
    peft_model = models.attach_lora(model, tok, LoraSettings(train_untrained_tokens=True))
    assert _indices(peft_model, "default") == sorted(models.chat_token_ids(tok))


def test_the_flag_adds_the_listed_rows_and_only_with_the_flag(tiny_dir, tmp_path):
    folder = tmp_path / "tiny"
    shutil.copytree(tiny_dir, folder)
    (folder / UNTRAINED_TOKENS_FILE).write_text(json.dumps({"ids": [7, 5, 7]}))
    chat = None
    for flag in (False, True):
        model, tok = models.load_base(ModelSettings(model=str(folder), quant="none"))
        chat = sorted(models.chat_token_ids(tok))
        got = _indices(models.attach_lora(model, tok, LoraSettings(train_untrained_tokens=flag)),
                       "default")
        assert got == (sorted({5, 7, *chat}) if flag else chat)


@pytest.mark.parametrize("text, message", [
    ("not json", r"untrained_tokens.json: not a token list .*helpers.build.micro untrained"),
    ('{"count": 3}', r"not a token list"),
    ('{"ids": [1, 99999]}', r"\[99999\], outside this tokenizer's vocabulary of 100"),
    ('{"ids": [1, "the"]}', r"\['the'\], outside"),
])
def test_a_broken_list_names_the_file_and_the_fix(tmp_path, text, message):
    (tmp_path / UNTRAINED_TOKENS_FILE).write_text(text)
    with pytest.raises(UntrainedTokensError, match=message):
        read_untrained_token_ids(tmp_path, vocab_size=100)


@needs_micro
def test_the_micro_models_list_marks_rows_that_kept_their_initial_size():
    """Independent evidence that the list is right: rows pretraining never touched keep their
    initial norm (~3.8), trained rows shrink (~1); the 123 word-list-only rows the list adds
    since stage 9 are a few among ~1,800. And the finding it records: content words of the domain
    questions ("CPU", "phone") were never read by the base, and "RAM" only in word lists, while
    the goods genre put "cost" and "storage" into sentences."""
    import torch
    from safetensors.torch import load_file
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(MICRO_MODEL_DIR)
    ids = read_untrained_token_ids(MICRO_MODEL_DIR, len(tok))
    weights = load_file(MICRO_MODEL_DIR / "model.safetensors")
    norms = next(w for k, w in weights.items() if "embed_tokens" in k)[: len(tok)].norm(dim=1)
    listed = torch.zeros(len(tok), dtype=torch.bool)
    listed[ids] = True
    assert norms[listed].median() > 3.0 > 1.5 > norms[~listed].median()
    in_list = {tok.convert_ids_to_tokens(i) for i in ids}
    assert {"CPU", "phone", "RAM", "<|im_start|>", "<|im_end|>"} <= in_list
    assert not {"the", "river", "Ida", "storage", "cost"} & in_list  # words in sentences
    doc = json.loads((MICRO_MODEL_DIR / UNTRAINED_TOKENS_FILE).read_text())
    assert doc["count"] == len(doc["ids"]) == len(ids) and doc["vocab_size"] == len(tok)


@pytest.mark.slow
@needs_micro
def test_the_committed_list_is_what_the_corpus_rebuild_gives(tmp_path):
    """The list is rebuilt from the deterministic corpus: the committed file must match (the
    bundled list is the `--list-only` one since stage 9)."""
    from helpers.build.micro.vocab import write_untrained_tokens

    folder = tmp_path / "micro"
    shutil.copytree(MICRO_MODEL_DIR, folder)
    path, n, _ = write_untrained_tokens(folder, list_only=True)
    assert json.loads(path.read_text()) == json.loads(
        (MICRO_MODEL_DIR / UNTRAINED_TOKENS_FILE).read_text())


@needs_micro
def test_list_only_ids_are_the_words_no_sentence_holds():
    """The rows that drift to one vector: words the corpus holds in word lists and nowhere else."""
    from transformers import AutoTokenizer

    from helpers.build.micro.vocab import list_only_token_ids

    tok = AutoTokenizer.from_pretrained(MICRO_MODEL_DIR)
    docs = ["Ana found an old card. It said:\nstorage, dog, RAM\nThe dog was red.",
            "The card said:\nlamp milk\nAna kept the card."]
    ids = list_only_token_ids(tok, docs)
    words = {tok.convert_ids_to_tokens(i) for i in ids}
    assert {w for w in words if w.isalpha()} == {"storage", "RAM", "lamp", "milk"}
    assert "\u0120" not in words  # the space: in the sentences too
