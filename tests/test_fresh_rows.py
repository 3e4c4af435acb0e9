"""Fresh embedding rows for words a continued-pretraining stage puts into sentences first."""

from __future__ import annotations

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer

from helpers.build.micro.fresh_rows import newcomer_ids, redraw_rows, sentence_ids
from helpers.build.micro.pretrain import PretrainConfig
from helpers.world import COLORS, OBJECTS, PEOPLE


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    texts = [f"{p} has a {c} {o}." for p in PEOPLE for c in COLORS for o in OBJECTS[:6]]
    return save_tiny_llama(tmp_path_factory.mktemp("tiny"), sentence_tokenizer(texts * 2))


def _id(tok, word: str) -> int:
    (i,) = tok(word, add_special_tokens=False)["input_ids"]
    return i


def test_newcomers_are_words_first_held_in_a_sentence(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    lamp, red, ring = OBJECTS[0], COLORS[0], OBJECTS[1]
    before = [f"{PEOPLE[0]} has a {red} {ring}.\nIt said:\n{lamp}, {red}"]
    now = [f"{PEOPLE[0]} has a {red} {lamp}.", f"{PEOPLE[1]} has a {ring}."]
    got = newcomer_ids(tok, sentence_ids(tok, before), now)
    assert _id(tok, lamp) in got  # in a list before, in a sentence now
    assert _id(tok, PEOPLE[1]) in got  # never before
    assert not {_id(tok, red), _id(tok, ring), _id(tok, PEOPLE[0])} & set(got)  # in sentences before


def test_redrawn_rows_are_distinct_at_a_trained_rows_length_and_the_rest_stay(tiny_dir):
    model = AutoModelForCausalLM.from_pretrained(tiny_dir)
    weight = model.get_input_embeddings().weight
    with torch.no_grad():
        weight[10:20] = weight[10]  # ten rows collapsed to one vector, as the softmax leaves them
    before = weight.detach().clone()
    scale = redraw_rows(model, list(range(10, 20)), keep=list(range(20, 60)), seed=3)
    after = weight.detach()
    assert scale == pytest.approx(before[20:60].norm(dim=1).median().item())
    assert torch.equal(after[:10], before[:10]) and torch.equal(after[20:], before[20:])
    x = torch.nn.functional.normalize(after[10:20], dim=1)
    off_diagonal = (x @ x.T)[~torch.eye(10, dtype=torch.bool)]
    assert off_diagonal.abs().max() < 0.6  # were all 1.0
    assert after[10:20].norm(dim=1).mean().item() == pytest.approx(scale, rel=0.35)
    if model.config.tie_word_embeddings:  # the output rows are the same tensor
        assert torch.equal(model.get_output_embeddings().weight[10:20], after[10:20])
    again = AutoModelForCausalLM.from_pretrained(tiny_dir)
    with torch.no_grad():
        again.get_input_embeddings().weight[10:20] = before[10]
    redraw_rows(again, list(range(10, 20)), keep=list(range(20, 60)), seed=3)
    assert torch.equal(again.get_input_embeddings().weight[10:20], after[10:20])  # seeded


def test_fresh_rows_without_a_model_to_continue_fails_before_any_work(tmp_path):
    from helpers.build.micro.pretrain_pipeline import run_pretraining

    with pytest.raises(ValueError, match=r"--init-from"):
        run_pretraining(PretrainConfig(out_dir=tmp_path, fresh_rows=True), "test")


def test_the_flag_round_trips_through_the_reproduce_command(tmp_path):
    import shlex

    from helpers.build.micro.__main__ import _parser, config_from_args, reproduce_command

    args = _parser().parse_args(["pretrain", "--out", str(tmp_path), "--init-from", "m",
                                 "--fresh-rows", "--goods-weight", "60"])
    config = config_from_args(args)
    assert config.fresh_rows and config.corpus.goods_weight == 60
    command = reproduce_command(config)
    assert "--fresh-rows" in command and "--goods-weight 60.0" in command
    assert config_from_args(_parser().parse_args(shlex.split(command)[3:])) == config
    plain = config_from_args(_parser().parse_args(["pretrain", "--out", str(tmp_path)]))
    assert not plain.fresh_rows and "--fresh-rows" not in reproduce_command(plain)


def test_the_card_names_the_goods_genre_and_the_fresh_rows():
    import copy
    import json

    from helpers.build.micro.data_card import render_card
    from helpers.paths import MICRO_MODEL_DIR

    metrics = json.loads((MICRO_MODEL_DIR / "pretrain_metrics.json").read_text())
    flags = " --goods-weight 60.0 --fresh-rows"  # the bundled model's stage 9
    assert metrics["stages"][-1]["command"].endswith(flags)
    assert "goods weight 60, fresh rows for words new to sentences" in render_card(metrics)
    stage = copy.deepcopy(metrics["stages"][-1])
    stage["command"] = stage["command"].removesuffix(flags)
    card = render_card({**metrics, "stages": [*metrics["stages"][:-1], stage]})
    assert "fresh rows" not in card and "goods weight" not in card


def test_a_run_without_a_checkpoint_says_which_folder_and_what_to_pass(tmp_path):
    from helpers.build.micro.checkpoint import checkpoint_to_model

    with pytest.raises(FileNotFoundError, match=r"checkpoint/state.pt not found.*--checkpoint-every"):
        checkpoint_to_model(tmp_path, like=tmp_path, out=tmp_path / "out")
