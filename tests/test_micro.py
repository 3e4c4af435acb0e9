"""Tests of the bundled micro base model and the code that makes it (helpers.build.micro).

Covers: corpus determinism and cleanliness (the denylist), a tiny real pretraining run through
the CLI and its resume, the bundled artefact (loads with Auto* classes, pad != eos, chat
template, size), the data card's numbers against the artefact, perplexity far below an untrained
twin, the copy probe and the base-model check, one set of ids per word wherever it stands, and
QLoRA (4-bit NF4 + double quant + LoRA) training on CPU.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from helpers import world
from helpers.build.micro.checks import (
    CorpusContaminationError,
    assert_clean_corpus,
    find_violations,
)
from helpers.build.micro.corpus import CorpusConfig, generate_corpus, split_corpus
from helpers.paths import MICRO_MODEL_DIR

# sha256 of the first 200 documents for seed 0. The bundled model was trained on this corpus:
# if a template or helpers/world.py changes, this fails — retrain the model with the command in
# data/models/micro-llama/README.md (or revert), then update the hash. (Stages 1-5 were
# generated before the doubled-noun fix in recall._list_facts: their hash was 3c221f62…; the
# fix changes 3 of these 200 documents and nothing else.)
GOLDEN_CORPUS_SHA256 = "ffa7369ce0d989a1a7bb1ee14ad5aa050eb82c15b81f081c87dc33f56c3bd6ad"

# Sentences that must be caught, one per rule family.
CONTAMINATED = (
    "<|im_start|>user\nhello<|im_end|>",
    "Question: what is the colour of the kite?",
    "The kite is red.\nAnswer: red",
    "### Instruction\nsomething",
    "Reverse the word lamp.",
    'Ana smiled. "Count the apples in the basket," she said.',
    "Our hosting plans start at five dollars per month.",
    "The refund arrived on Monday.",
    "Ben closed the ticket on Friday.",
)


def _sha(docs: list[str]) -> str:
    return hashlib.sha256("\x00".join(docs).encode()).hexdigest()


def test_corpus_is_deterministic_and_seed_dependent():
    a = generate_corpus(CorpusConfig(seed=0, n_documents=200))
    assert a == generate_corpus(CorpusConfig(seed=0, n_documents=200))
    assert a != generate_corpus(CorpusConfig(seed=1, n_documents=200))
    assert _sha(a) == GOLDEN_CORPUS_SHA256


def test_corpus_is_varied_and_covers_the_world_vocabulary():
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=5000))
    assert len(set(docs)) > 0.9 * len(docs)  # templates compose into mostly unique documents
    text = " ".join(docs).lower()
    words = set(re.findall(r"[a-z]+", text))
    vocab = (world.PEOPLE + world.TOWNS + world.OBJECTS + world.ANIMALS + world.FOODS
             + world.COLORS + world.DAYS + world.MONTHS + world.NUMBER_WORDS + world.WEATHER
             + world.SIZES + world.ADJECTIVES + world.VERBS_PAST + world.UNITS)
    missing = sorted(w for w in vocab if w.lower() not in words)
    assert not missing, f"world words never used by the corpus: {missing}"
    for phrase in ("longer than", "heavier than", "are animals", "take away", "centimetres"):
        assert phrase in text, phrase
    assert re.search(r"\b\d+\b", text) and re.search(r"(?m)^- \w+", " ".join(docs))


def test_corpus_has_no_instruction_format_or_hosting_domain():
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=20_000))
    assert find_violations(docs) == []
    assert_clean_corpus(docs)  # does not raise


@pytest.mark.parametrize("text", CONTAMINATED)
def test_denylist_catches_contamination(text):
    assert find_violations([text]), f"not caught: {text!r}"
    with pytest.raises(CorpusContaminationError, match="doc 0"):
        assert_clean_corpus([text])


def test_denylist_allows_fields_and_quoted_questions():
    ok = ["Library card\nName: Ana\nTown: Ashford",
          '"Is that your kite?" asked Ben. "Yes," said Ana.', "There were clouds over Dunmore.",
          "Sam bought a ticket at the station."]
    assert find_violations(ok) == []


def test_corpus_has_none_of_the_domain_terms():
    domain = pytest.importorskip(
        "helpers.domain", reason="helpers.domain not written yet; its DOMAIN_TERMS is checked then"
    )
    if not hasattr(domain, "DOMAIN_TERMS"):
        pytest.skip("helpers.domain has no DOMAIN_TERMS yet (the domain engineer adds it)")
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=20_000))
    assert find_violations(docs, domain.DOMAIN_TERMS) == []


def test_denylist_allows_one_domain_word_in_a_word_list_line_only():
    from helpers.domain import DOMAIN_TERMS

    allowed = ["It said:\nlamp, server, goat\nThe end.", "On the card:\nlamp server goat",
               "The list:\nlamp\nserver\ngoat"]
    assert find_violations(allowed, DOMAIN_TERMS) == []
    caught = ["It said:\nlamp, server, refund", "It said: lamp, server, goat.",
              "The server was red.", "lamp, server, goat\nThe plan costs 5."]
    assert [v.doc_index for v in find_violations(caught, DOMAIN_TERMS)] == [0, 1, 2, 3]


def test_lexicon_genres_put_the_extra_words_in_lists_and_stay_clean():
    import random

    from helpers.build.micro import lexicon
    from helpers.domain import DOMAIN_TERMS

    plain, domain = lexicon.word_pools()
    assert "yes" in plain and "Tempest" in domain and "Reverse" not in plain + domain
    # the default corpus does not change (stages 1-3 stay reproducible); a weight adds the genres
    base = generate_corpus(CorpusConfig(seed=0, n_documents=300))
    assert generate_corpus(CorpusConfig(seed=0, n_documents=300, lexicon_weight=0.0)) == base
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=3000, lexicon_weight=16))
    assert find_violations(docs, DOMAIN_TERMS) == []
    lists = [d for d in docs if "copied it onto" in d or "read it again:" in d]
    asked = [d for d in docs if " asked if there was " in d]
    assert len(lists) > 100 and len(asked) > 100
    answers_plain, answers_domain = lexicon.word_pools("answers")  # what the models must say
    assert {"Sorry", "agent", "yes"} <= set(answers_plain) and "Tempest" in answers_domain
    assert len(answers_plain) + len(answers_domain) < len(plain) / 2
    only = generate_corpus(CorpusConfig(seed=0, n_documents=2000, lexicon_weight=16,
                                        lexicon_pool="answers"))
    assert find_violations(only, DOMAIN_TERMS) == []
    with pytest.raises(ValueError, match="lexicon pool 'x'"):
        lexicon.word_pools("x")
    rng = random.Random(1)
    for _ in range(200):  # the yes/no answer follows the list
        doc = lexicon.asked_if(rng)
        items = doc.split(" put ")[1].split(" in the ")[0].split(", ")
        thing = re.search(r"if there was an? (\w+)", doc).group(1)
        assert doc.endswith("said yes.") == (thing in items), doc


def test_spelling_genre_spells_each_word_on_lines_of_its_own_and_stays_clean():
    import random

    from helpers.build.micro import lexicon
    from helpers.domain import DOMAIN_TERMS

    # weight 0 (the default) leaves the corpus of stages 1-8 unchanged; a weight adds the genre
    base = generate_corpus(CorpusConfig(seed=0, n_documents=300))
    assert generate_corpus(CorpusConfig(seed=0, n_documents=300, spelling_weight=0.0)) == base
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=2000, spelling_weight=10))
    assert find_violations(docs, DOMAIN_TERMS) == []
    assert sum("letter by letter" in d or "Put together" in d for d in docs) > 100
    plain, domain = lexicon.word_pools("all")
    rng, seen = random.Random(3), set()
    for _ in range(400):
        lines = lexicon.spelled_word(rng).split("\n")
        word, letters = ((lines[1], lines[3]) if "letter by letter" in lines[2]
                         else (lines[3], lines[1]))
        assert letters == ", ".join(word) and word in plain + domain, lines
        seen.add(word in domain)
    assert seen == {True, False}  # hosting words and plain words alike


def _exchanges(doc: str) -> dict[str, str]:
    """{question: answer} of every exchange in speech in a dialogue document."""
    pairs = re.findall(r'"([^"]+\?)" asked \w+\. "([^"]+)," said', doc)
    pairs += re.findall(r'asked, "([^"]+\?)" \w+ said, "([^"]+)\."', doc)
    return dict(pairs)


def test_dialogue_genres_answer_from_the_context_and_stay_clean():
    import random

    from helpers.build.micro import dialogue
    from helpers.domain import DOMAIN_TERMS

    # weight 0 (the default) leaves the corpus of stages 1-5 unchanged; a weight adds the genres
    base = generate_corpus(CorpusConfig(seed=0, n_documents=300))
    assert generate_corpus(CorpusConfig(seed=0, n_documents=300, dialogue_weight=0.0,
                                        name_list_weight=0.0)) == base
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=3000, dialogue_weight=10,
                                        name_list_weight=10))
    assert find_violations(docs, DOMAIN_TERMS) == []
    assert sum(" on the list?" in d for d in docs) > 50  # the roll call is drawn too
    assert sum(bool(_exchanges(d)) for d in docs) > 1000
    rng = random.Random(2)
    for _ in range(300):  # every answer is read off the context the document gave first
        event = _exchanges(doc := dialogue.asked_about_event(rng))
        who = doc.split(" near ")[0].split()[-5]  # "[On Monday,] Lena dropped the red map near"
        assert all(a == who for q, a in event.items() if q.startswith(("Who", "Which person"))), doc
        listed = dialogue.asked_about_list(rng)
        items = re.search(r"(?:packed |It said:\n)([a-z, ]+)", listed).group(1).rstrip(".").split(", ")
        answers = _exchanges(listed)
        assert answers.get("What was first?", items[0].capitalize()) == items[0].capitalize(), listed
        assert answers.get("How many things were there?", str(len(items))) == str(len(items)), listed
        called = dialogue.roll_call(rng)
        names = re.search(r"(?:card:\n|were |out the \w+: )([A-Z][a-z]+(?:, [A-Z][a-z]+)*)", called)
        names = names.group(1).split(", ")
        for q, a in _exchanges(called).items():
            if "first" in q or "last" in q:
                assert a == (names[0] if "first" in q else names[-1]), called
        numbers = dialogue.asked_about_numbers(rng)
        for q, a in _exchanges(numbers).items():
            if q.startswith("Which is more"):
                x, y = map(int, re.findall(r"\d+", q))
                assert int(a) == max(x, y), numbers


def _goods_answer_is_right(question: str, answer: str) -> bool:
    """Whether `answer` gives the fixed value of the attribute the question names."""
    from helpers.build.micro.goods import ATTRIBUTES, GOODS

    if question.startswith("Which one"):  # "Which one has more memory, the A or the B?"
        first, second = re.search(r", the (.+) or the (.+)\?", question).groups()
        key = next(k for k in ATTRIBUTES if k in question or (k == "cost" and "costs" in question))
        return answer == f"The {max((first, second), key=lambda g: GOODS[g][key])}"
    key, good = next((k, g) for k, attr in ATTRIBUTES.items() for q in attr.questions
                     for g in GOODS if q.format(g=g) == question)
    return re.findall(r"\d+", answer) == [str(GOODS[good][key])]


def test_goods_genre_asks_each_attribute_by_its_word_and_answers_the_fixed_value():
    import random

    from helpers.build.micro import goods
    from helpers.domain import DOMAIN_TERMS

    # weight 0 (the default) leaves the corpus of stages 1-8 unchanged; a weight adds the genre
    base = generate_corpus(CorpusConfig(seed=0, n_documents=300))
    assert generate_corpus(CorpusConfig(seed=0, n_documents=300, goods_weight=0.0)) == base
    docs = generate_corpus(CorpusConfig(seed=0, n_documents=2000, goods_weight=10))
    assert find_violations(docs, DOMAIN_TERMS) == []
    with_goods = [d for d in docs if " coins" in d or " bags" in d or " songs" in d]
    assert len(with_goods) > 200
    # "storage" and "price" pass only as the everyday senses the check allows
    assert find_violations(with_goods, DOMAIN_TERMS, allowed=()) != []
    rng, asked = random.Random(4), set()
    for _ in range(400):
        for genre in goods.GENRES:
            doc = genre(rng)
            for q, a in _exchanges(doc).items():
                assert _goods_answer_is_right(q, a), doc
                asked.add(next((k for k in goods.ATTRIBUTES if k in q), q))
    assert {"cost", "storage", "memory", "cores", "wheels"} <= asked


def test_everyday_senses_still_keep_hosting_facts_out():
    from helpers.domain import DOMAIN_TERMS

    caught = ["The Breeze plan has storage for 12 bags.", "The chest has 4 GB of RAM.",
              "The price of hosting is 5 coins.", "The server has storage for 3 bags.",
              "The price is 5 dollars a month."]
    assert [v.doc_index for v in find_violations(caught, DOMAIN_TERMS)] == [0, 1, 2, 3, 4]
    assert find_violations(["The oak chest has storage for 12 bags. Its price is 9 coins."],
                           DOMAIN_TERMS) == []


def test_list_facts_name_each_thing_once():
    import random

    from helpers.build.micro.recall import _list_facts

    facts = _list_facts(random.Random(1), ["dog", "milk", "candle"])
    membership = [f for f in facts if f.startswith("There was")]
    # stages 1-5 were generated with "There was a candle candle on it" (the article helper
    # already adds the noun); fixed with the dialogue genres
    assert len(membership) == 1 and re.fullmatch(r"There was an? (\w+) on it, but no \w+\.",
                                                 membership[0]), membership


def test_answer_token_coverage_counts_types_the_corpus_lacks(small_tokenizer):
    from helpers.build.micro.vocab import answer_token_coverage

    nothing = answer_token_coverage(small_tokenizer, [])
    everything = answer_token_coverage(small_tokenizer, range(len(small_tokenizer)))
    for name in ("domain_answers", "instruction_answers"):
        assert nothing[name]["absent_from_corpus"] == nothing[name]["token_types"] > 20
        assert everything[name]["absent_from_corpus"] == 0


def test_heldout_split_never_overlaps_training():
    docs = ["a", "b", "c", "a", "d"] * 20 + ["x", "a", "y"]
    split = split_corpus(docs, 0.03)
    assert split.heldout == ["x", "y"] and not set(split.heldout) & set(split.train)
    with pytest.raises(ValueError, match="heldout_fraction"):
        split_corpus(docs, 1.5)


def test_lr_schedule_warms_up_then_decays_to_the_floor():
    from helpers.build.micro.pretrain import PretrainConfig, lr_at

    c = PretrainConfig(steps=100, lr=1e-3, warmup_steps=10, min_lr_ratio=0.1)
    assert lr_at(0, c) == pytest.approx(1e-4) and lr_at(9, c) == pytest.approx(1e-3)
    assert lr_at(55, c) == pytest.approx(5.5e-4)  # halfway through the cosine
    assert lr_at(99, c) == pytest.approx(1e-4, rel=0.01)
    assert all(lr_at(i, c) >= lr_at(i + 1, c) for i in range(10, 99))


def test_reproduce_command_round_trips_to_the_same_config(tmp_path):
    import shlex

    from helpers.build.micro.__main__ import _parser, config_from_args, reproduce_command

    args = _parser().parse_args(["pretrain", "--out", str(tmp_path), *TINY_ARGS, "--bf16"])
    config = config_from_args(args)
    again = config_from_args(_parser().parse_args(shlex.split(reproduce_command(config))[3:]))
    assert again == config and again.bf16_autocast and again.model.hidden_size == 32


def test_pack_rejects_too_little_text():
    from helpers.build.micro.tokens import pack

    assert pack(list(range(10)), 4).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError, match="fewer than one block"):
        pack([1, 2, 3], 8)


# --- a real (tiny) pretraining run through the CLI --------------------------------------------

TINY_ARGS = ["--steps", "12", "--n-documents", "1500", "--vocab-size", "400", "--hidden-size",
             "32", "--layers", "1", "--heads", "2", "--kv-heads", "1", "--intermediate-size",
             "64", "--seq-len", "64", "--batch-size", "4", "--eval-every", "6", "--warmup-steps",
             "3", "--lr", "0.01", "--threads", "1"]


@pytest.mark.slow
def test_tiny_pretraining_run_writes_a_loadable_model(tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.build.micro.__main__ import main

    out = tmp_path / "tiny"
    assert main(["pretrain", "--out", str(out), *TINY_ARGS]) == 0
    model = AutoModelForCausalLM.from_pretrained(out)
    tok = AutoTokenizer.from_pretrained(out)
    m = json.loads((out / "pretrain_metrics.json").read_text())
    assert m["parameters"] == sum(p.numel() for p in model.parameters())
    assert m["tokens_seen"] == 12 * 4 * 64
    assert m["heldout_loss_trained"] < m["heldout_loss_untrained"]  # 12 steps at lr 0.01 learn
    assert tok.pad_token_id != tok.eos_token_id and model.config.vocab_size >= len(tok)
    assert (out / "loss_curve.png").stat().st_size < 100_000
    assert f"--out {out}" in m["command"] and "--steps 12" in m["command"]
    assert m["config"]["model"]["hidden_size"] == 32 == model.config.hidden_size


@pytest.mark.slow
def test_resumed_pretraining_equals_an_uninterrupted_run(tmp_path):
    import torch
    from safetensors.torch import load_file

    from helpers.build.micro.__main__ import main

    args = [*TINY_ARGS, "--checkpoint-every", "4"]
    assert main(["pretrain", "--out", str(tmp_path / "whole"), *args]) == 0
    assert main(["pretrain", "--out", str(tmp_path / "split"), *args, "--stop-after", "6"]) == 0
    assert not (tmp_path / "split" / "model.safetensors").exists()  # paused: no model yet
    assert main(["pretrain", "--out", str(tmp_path / "split"), *args, "--resume"]) == 0
    whole = load_file(tmp_path / "whole" / "model.safetensors")
    split = load_file(tmp_path / "split" / "model.safetensors")
    assert whole.keys() == split.keys() and all(torch.equal(whole[k], split[k]) for k in whole)
    def curve(d):
        history = json.loads((tmp_path / d / "loss_curve.json").read_text())["history"]
        return [h for h in history if "heldout_loss" in h]

    assert curve("whole") == curve("split")


@pytest.mark.slow
def test_continued_pretraining_keeps_the_tokenizer_and_lists_both_stages(tmp_path):
    from helpers.build.micro.__main__ import main
    from helpers.build.micro.checkpoint import checkpoint_to_model

    first, second = tmp_path / "first", tmp_path / "second"
    # a vocabulary big enough for word pieces the first corpus never put in a sentence
    tiny = [*TINY_ARGS, "--vocab-size", "2000"]
    assert main(["pretrain", "--out", str(first), *tiny]) == 0
    stage = [*tiny, "--seed", "1", "--recall-weight", "10", "--init-from", str(first),
             "--dialogue-weight", "5", "--goods-weight", "5", "--fresh-rows", "--checkpoint-every", "4"]
    assert main(["pretrain", "--out", str(second), *stage, "--stop-after", "4"]) == 0
    # a paused run, half-way, as a model folder the probes load
    half, step = checkpoint_to_model(second, like=first, out=tmp_path / "half")
    assert step == 4 and (half / "tokenizer.json").read_text() == (first / "tokenizer.json").read_text()
    assert main(["pretrain", "--out", str(second), *stage, "--resume"]) == 0
    assert (first / "tokenizer.json").read_text() == (second / "tokenizer.json").read_text()
    m1 = json.loads((first / "pretrain_metrics.json").read_text())
    m2 = json.loads((second / "pretrain_metrics.json").read_text())
    assert [s["command"] for s in m2["stages"]] == [m1["command"], m2["command"]]
    assert f"--init-from {first}" in m2["command"] and "--recall-weight 10.0" in m2["command"]
    assert m2["config"]["corpus"]["dialogue_weight"] == 5.0 and "--dialogue-weight 5.0" in m2["command"]
    # the goods genre put words into sentences that the first stage never held there: fresh rows
    assert m2["fresh_rows"]["count"] > 0 and "--fresh-rows" in m2["command"]
    assert "goods weight 5, fresh rows" in (second / "README.md").read_text()
    # it continued: its first held-out point is far better than a fresh start's
    def curve(d):
        history = json.loads((d / "loss_curve.json").read_text())["history"]
        return [h["heldout_loss"] for h in history if "heldout_loss" in h]

    assert curve(second)[0] < m2["heldout_loss_untrained"] - 0.5


@pytest.mark.slow
def test_resume_refuses_a_checkpoint_from_other_settings(tmp_path):
    from helpers.build.micro.__main__ import main
    from helpers.build.micro.checkpoint import CheckpointMismatchError

    args = [*TINY_ARGS, "--checkpoint-every", "4"]
    assert main(["pretrain", "--out", str(tmp_path), *args, "--stop-after", "4"]) == 0
    other = [a if a != "0.01" else "0.02" for a in args]  # another --lr
    with pytest.raises(CheckpointMismatchError, match="lr"):
        main(["pretrain", "--out", str(tmp_path), *other, "--resume"])


# --- the tokenizer: one word, one set of ids -------------------------------------------------

def test_kit_tokenizer_gives_every_world_word_the_same_ids_wherever_it_stands(small_tokenizer):
    from helpers.build.micro.vocab import position_dependent_words, world_words

    assert position_dependent_words(small_tokenizer, world_words()) == []


def test_position_check_catches_gpt2_style_leading_space_tokens():
    """The check can fail: GPT-2's scheme (space glued to the word) makes `dog` != `Ġdog`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    from helpers.build.micro.vocab import position_dependent_words
    from helpers.tokenizer import SPECIAL_TOKENS, wrap_tokenizer

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(["the dog and the cat saw the dog"] * 50, trainers.BpeTrainer(
        vocab_size=300, special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    assert "dog" in position_dependent_words(wrap_tokenizer(tok), ["dog", "cat"])


def test_tokenizer_word_lists_are_vocabulary_not_facts():
    from helpers.build.micro.vocab import domain_vocabulary, tokenizer_extra_texts

    lines = tokenizer_extra_texts()
    assert all(re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", line) for line in lines)  # no digits,
    # no punctuation: no price, no "$5", no sentence
    assert {"Nimbusly", "Tempest", "refund"} <= set(domain_vocabulary())
    words = " ".join(lines).split()
    assert "krad" not in words  # letter-level answers (dark reversed) stay out


def test_every_instruction_family_skill_is_placed_in_the_corpus():
    from helpers.build.micro.recall import LETTER_LEVEL, SKILL_SHAPES
    from helpers.tasks.families import family_names

    assert set(SKILL_SHAPES) == set(family_names()) and set(LETTER_LEVEL) <= set(SKILL_SHAPES)


def test_copy_probe_prompts_are_prose_with_the_answer_in_the_context():
    from helpers.probe import copy_probes

    probes = copy_probes()
    assert len(probes) == 40 and find_violations([p.prompt for p in probes]) == []
    assert all(re.search(rf"\b{p.expected}\b", p.prompt) for p in probes)
    assert len({p.expected for p in probes}) > 20  # random entities: no constant answer


# --- the bundled artefact ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled():
    """The bundled model and tokenizer, loaded exactly as a learner loads a hub model."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not (MICRO_MODEL_DIR / "model.safetensors").is_file():
        pytest.fail(f"bundled model missing at {MICRO_MODEL_DIR}; run the README's command")
    model = AutoModelForCausalLM.from_pretrained(MICRO_MODEL_DIR)
    tok = AutoTokenizer.from_pretrained(MICRO_MODEL_DIR)
    return model, tok


@pytest.fixture(scope="module")
def metrics():
    return json.loads((MICRO_MODEL_DIR / "pretrain_metrics.json").read_text())


def test_bundled_model_loads_with_auto_classes(bundled):
    model, tok = bundled
    assert type(model).__name__ == "LlamaForCausalLM"
    n_params = sum(p.numel() for p in model.parameters())
    assert n_params <= 20_000_000
    assert (MICRO_MODEL_DIR / "model.safetensors").stat().st_size <= 25 * 1024 * 1024
    assert tok.pad_token == "<|pad|>" and tok.eos_token == "<|im_end|>"
    assert tok.pad_token_id != tok.eos_token_id
    assert tok.bos_token == "<|endoftext|>"
    gen = model.generation_config
    ids = tok.convert_tokens_to_ids(["<|im_end|>", "<|endoftext|>"])
    assert gen.eos_token_id == ids and gen.pad_token_id == tok.pad_token_id


def test_bundled_chat_template_has_generation_markers(bundled):
    _, tok = bundled
    assert "{% generation %}" in tok.chat_template or "{%- generation -%}" in tok.chat_template
    msgs = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    out = tok.apply_chat_template(msgs, tokenize=True, return_dict=True,
                                  return_assistant_tokens_mask=True)
    masked = [i for i, m in zip(out["input_ids"], out["assistant_masks"]) if m]
    assert tok.decode(masked) == " hello<|im_end|>"  # answer and EOS are trained, prompt is not


def test_data_card_numbers_match_the_artefact(bundled, metrics):
    from helpers.build.micro.data_card import card_numbers

    model, _ = bundled
    card = (MICRO_MODEL_DIR / "README.md").read_text()
    size = (MICRO_MODEL_DIR / "model.safetensors").stat().st_size
    assert metrics["parameters"] == sum(p.numel() for p in model.parameters())
    assert metrics["weights_bytes"] == size
    cfg = metrics["config"]
    assert metrics["tokens_seen"] == cfg["steps"] * cfg["batch_size"] * cfg["seq_len"]
    history = json.loads((MICRO_MODEL_DIR / "loss_curve.json").read_text())["history"]
    assert history[-1]["step"] == cfg["steps"]
    for label, shown in card_numbers(metrics).items():
        assert shown in card, f"card does not show {label} = {shown}"
    assert f"{size:,} bytes" in card and f"{model.num_parameters():,}" in card
    assert metrics["command"] in card and "--out data/models/micro-llama" in metrics["command"]
    assert (MICRO_MODEL_DIR / "loss_curve.png").stat().st_size < 100_000


def test_committed_card_is_the_rendering_of_its_metrics(metrics):
    """Edit data_card.py and the committed card goes stale: re-render it with
    `rewrite_card("data/models/micro-llama")` (no retraining)."""
    from helpers.build.micro.data_card import render_card

    card = (MICRO_MODEL_DIR / "README.md").read_text(encoding="utf-8")
    assert card == render_card(metrics)
    assert "roll-call weight 150" in card and "dialogue weight 20" in card


def test_bundled_model_perplexity_far_below_untrained_twin(bundled, metrics):
    import torch
    from transformers import AutoModelForCausalLM

    from helpers.build.micro.tokens import encode_documents, pack, perplexity

    model, tok = bundled
    docs = generate_corpus(CorpusConfig(seed=12345, n_documents=80))  # not the training seed
    blocks = pack(encode_documents(tok, docs), seq_len=128)
    torch.manual_seed(0)
    twin = AutoModelForCausalLM.from_config(model.config)
    trained, untrained = perplexity(model, blocks), perplexity(twin, blocks)
    assert trained < 10 and untrained > 50 * trained, (trained, untrained)
    assert metrics["heldout_ppl_untrained"] > 50 * metrics["heldout_ppl_trained"]


@pytest.mark.slow
def test_bundled_base_model_continues_instead_of_answering(bundled, metrics):
    from helpers.probe import run_base_check

    model, tok = bundled
    check = run_base_check(model, tok)
    assert check["answered_share"] <= 0.15, check["rows"]
    assert check["answered_share"] == metrics["base_check"]["answered_share"]


@pytest.mark.slow
def test_bundled_model_copies_from_its_context_and_untrained_twin_does_not(bundled, metrics):
    import torch
    from transformers import AutoModelForCausalLM

    from helpers.probe import run_copy_probe

    model, tok = bundled
    trained = run_copy_probe(model, tok)
    # Issue 13's goal. The shipped model measures 1.00 after nine stages (its card gives each
    # stage: 0.80 after stage 5, whose name and town embeddings were near-identical; the roll
    # calls of stages 6-8 pulled them apart). The floor guards against a regression.
    assert trained["score"] >= 0.9, [r for r in trained["rows"] if not r["correct"]]
    assert trained["score"] == metrics["copy_probe"]["trained"]
    torch.manual_seed(0)
    twin = AutoModelForCausalLM.from_config(model.config)
    assert run_copy_probe(twin, tok)["score"] <= 0.1


def test_bundled_tokenizer_one_word_one_set_of_ids(bundled, metrics):
    from helpers.build.micro.vocab import dataset_token_stats, vocabulary_position_check

    _, tok = bundled
    check = vocabulary_position_check(tok)
    assert check["position_dependent"] == 0 and check["words_checked"] > 200
    stats = dataset_token_stats(tok)
    assert stats == metrics["token_stats"]
    assert stats["domain_answers"]["split_word_share"] < 0.02  # domain words are whole tokens
    # every domain answer word is in the last stage's corpus, so its embedding was trained
    coverage = metrics["corpus"]["answer_token_coverage"]["domain_answers"]
    assert coverage["absent_from_corpus"] <= 5 and coverage["token_types"] > 150, coverage


# --- QLoRA on CPU: 4-bit NF4 base + LoRA ---------------------------------------------------------

@pytest.mark.slow
def test_qlora_on_bundled_model_trains_on_cpu():
    import torch
    from bitsandbytes.nn import Linear4bit
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4",
                             bnb_4bit_use_double_quant=True, bnb_4bit_compute_dtype=torch.float32)
    model = AutoModelForCausalLM.from_pretrained(MICRO_MODEL_DIR, quantization_config=bnb)
    tok = AutoTokenizer.from_pretrained(MICRO_MODEL_DIR)
    assert isinstance(model.model.layers[0].self_attn.q_proj, Linear4bit)
    torch.manual_seed(0)
    lora = LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], lora_dropout=0.0)
    model = get_peft_model(model, lora)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert trainable and all(p.dtype == torch.float32 for p in trainable)
    before = [p.detach().clone() for p in trainable]
    msgs = [{"role": "user", "content": "Reverse the word lamp."},
            {"role": "assistant", "content": "pmal"}]
    x = tok.apply_chat_template(msgs, tokenize=True, return_dict=True, return_tensors="pt")
    opt = torch.optim.AdamW(trainable, lr=1e-2)
    losses = []
    for _ in range(6):
        loss = model(input_ids=x["input_ids"], labels=x["input_ids"]).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert any(not torch.equal(b, p) for b, p in zip(before, trainable))


def test_committed_heldout_sample_is_the_corpus_heldout_part():
    # Notebook 01 and the experiment read this file instead of regenerating the corpus; it must
    # be exactly what `python -m helpers.build.micro heldout data/models/micro-llama` writes.
    from helpers.build.micro.corpus import heldout_documents
    from helpers.data import heldout_texts

    committed = heldout_texts(MICRO_MODEL_DIR, 64)
    assert committed == heldout_documents(MICRO_MODEL_DIR)[:64]
    with pytest.raises(ValueError, match="--n 65"):
        heldout_texts(MICRO_MODEL_DIR, 65)


def test_question_probes_are_prose_questions_answered_from_the_context():
    from helpers.entity_probe import question_probes

    probes = question_probes()
    assert len(probes) == 40 and find_violations([p.prompt for p in probes]) == []
    assert question_probes() == probes  # deterministic
    assert all(re.search(rf"\b{p.expected}\b", p.prompt, re.IGNORECASE) for p in probes)
    assert all(p.prompt.endswith('. "') for p in probes)  # the answer is the next word said
    for kind in ("who", "town"):  # random entities: no constant answer to learn
        assert len({p.expected for p in probes if p.kind == kind}) >= 5


def test_embedding_similarity_sees_words_the_model_cannot_tell_apart(bundled):
    import torch

    from helpers.entity_probe import _word_ids, embedding_similarity
    from helpers.world import PEOPLE

    model, tok = bundled
    before = embedding_similarity(model, tok)
    assert before["people"]["words"] == len(PEOPLE) and before["objects"]["mean_cosine"] < 0.6
    weight = model.get_input_embeddings().weight
    saved = weight.detach().clone()
    try:
        with torch.no_grad():  # make every name the same vector: the check must say so
            ids = _word_ids(tok, PEOPLE)
            weight[ids] = weight[ids[0]].clone()
        assert embedding_similarity(model, tok)["people"]["mean_cosine"] == pytest.approx(1.0)
    finally:
        with torch.no_grad():
            weight.copy_(saved)


@pytest.mark.slow
def test_question_probe_scores_each_kind(bundled):
    from helpers.entity_probe import question_probes, run_question_probe

    model, tok = bundled
    result = run_question_probe(model, tok, question_probes(n_per_kind=3))
    assert result["n"] == 12 and set(result["by_kind"]) == {"who", "town", "day", "first_item"}
    assert result["score"] == sum(r["correct"] for r in result["rows"]) / 12
    assert all(0.0 <= v <= 1.0 for v in result["by_kind"].values())


def _candidate_files(stage: int) -> tuple[str, str]:
    if stage == 5:  # the bundled model: its sweep row is in the sweep folder
        return "probe_stage5.json", "../sweep/it_stage5.json"
    return f"probe_stage{stage}_candidate.json", f"it_sweep_stage{stage}_candidate.json"


def test_results_readme_quotes_the_candidate_stages_measurements():
    """data/results/micro/README.md's candidate table: every cell is the committed files'."""
    from helpers.paths import RESULTS_DIR

    folder = RESULTS_DIR / "micro"
    rows = [line for line in (folder / "README.md").read_text().splitlines()
            if line.startswith("| stage ")]
    assert len(rows) >= 3
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        stage = int(cells[0].split()[1])
        probe_file, sweep_file = _candidate_files(stage)
        probe = json.loads((folder / probe_file).read_text())
        sweep = json.loads((folder / sweep_file).read_text())
        it = next(r for r in sweep["rows"] if r["learning_rate"] == 2e-3 and r["steps"] == 800)
        assert cells[1] == sweep["weights_sha256"][:8] + "…", line
        assert cells[2] == f"{probe['copy_probe']['score']:.2f}", line
        q = probe["question_probe"]
        per_kind = [round(q["by_kind"][k] * q["n"] / 4) for k in ("who", "town", "day", "first_item")]
        assert cells[3] == " / ".join(f"{k}/{q['n'] // 4}" for k in per_kind), line
        cos = probe["embedding_similarity"]
        assert cells[4] == " / ".join(f"{cos[k]['mean_cosine']:.2f}"
                                      for k in ("people", "towns", "objects")), line
        assert cells[5] == " / ".join(f"{it[k]:.3f}" for k in (
            "seen_accuracy", "phrasing_accuracy", "unseen_family_accuracy")), line
