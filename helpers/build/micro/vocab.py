"""Word lists for the tokenizer: the vocabulary of the domain set and the instruction suite.

Why: a tokenizer trained only on the micro corpus never saw the hosting domain's words, so
"Security" became `S e c u ri ty` — 47% of the domain answers' tokens were single characters, and
the model could not even learn the fixed refusal sentence. The tokenizer is therefore trained on
the corpus *plus* these word lists. They are vocabulary only — sorted, shuffled words, no
sentence, no fact, no question — and they go to the tokenizer, never into the pretraining
corpus, so the domain stays new knowledge to the base model (its corpus is still checked
against the domain denylist).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_WORD = re.compile(r"[A-Za-z]+")


def words_of(texts: Iterable[str]) -> list[str]:
    """The distinct words (letters only) in `texts`, sorted."""
    found: set[str] = set()
    for text in texts:
        found.update(_WORD.findall(text))
    return sorted(found)


def _record_texts(records: Iterable[dict], roles=("system", "user", "assistant")) -> Iterable[str]:
    for record in records:
        for message in record["messages"]:
            if message["role"] in roles:
                yield message["content"]


def domain_vocabulary() -> list[str]:
    """Every word of the domain set as built by helpers.domain (all splits and the KB)."""
    from helpers.build.domain.build import kb_document
    from helpers.build.domain.qa import build_splits

    texts = [json.dumps(kb_document())]
    for records in build_splits().values():
        texts.extend(_record_texts(records))
    return words_of(texts)


def instruction_vocabulary() -> list[str]:
    """Every word of the instruction suite's user turns (instructions and inputs, all splits).

    Answers are left out on purpose: for the letter-level families they are made-up strings
    ("krad" for "dark", "THE DUSTY WHITE BOOK"), which must stay spelled in pieces; making them
    whole tokens would turn reversing a word into a lookup of ids the model never trained on.
    """
    from helpers.build.tasks.build import build_splits

    texts: list[str] = []
    for records in build_splits().values():
        texts.extend(_record_texts(records, roles=("user",)))
    return words_of(texts)


def answer_vocabulary() -> list[str]:
    """Every word the models are asked to *say*: the answers of the domain set (all splits) and
    of the instruction suite except the letter-level families (their answers are made-up
    strings such as "krad", which must stay spelled in pieces)."""
    from helpers.build.domain.qa import build_splits as domain_splits
    from helpers.build.micro.recall import LETTER_LEVEL
    from helpers.build.tasks.build import build_splits as task_splits

    texts = [t for records in domain_splits().values() for t in _answers(records)]
    texts += [r["messages"][-1]["content"] for records in task_splits().values() for r in records
              if r.get("family") not in LETTER_LEVEL]
    return words_of(texts)


def word_list_lines(words: list[str], seed: int = 0, repeats: int = 3,
                    per_line: int = 12) -> list[str]:
    """`words` shuffled `repeats` times and cut into lines of `per_line` words.

    Repeats: BPE only merges pairs seen at least `min_frequency` (2) times, so a word that
    appears once would stay in pieces.
    """
    rng = random.Random(seed)
    lines = []
    for _ in range(repeats):
        order = list(words)
        rng.shuffle(order)
        lines += [" ".join(order[i:i + per_line]) for i in range(0, len(order), per_line)]
    return lines


def tokenizer_extra_texts(seed: int = 0) -> list[str]:
    """The word lists the micro tokenizer is trained on besides the corpus."""
    words = sorted(set(domain_vocabulary()) | set(instruction_vocabulary()))
    return word_list_lines(words, seed)


def _pieces(tokenizer, text: str) -> list[str]:
    """The tokens of `text` as strings, with the whitespace tokens left out."""
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return [t for t in tokenizer.convert_ids_to_tokens(ids) if t.strip("ĠĊ")]


def token_stats(tokenizer, texts: list[str]) -> dict[str, float]:
    """How well `tokenizer` covers `texts` (e.g. the answers of a dataset).

    - single_char_share: non-whitespace tokens that are one character (digits and punctuation
      are single characters by design; a high share of *letters* means words fall apart);
    - split_word_share: words (letters only) that take more than one token.
    """
    pieces = [p for text in texts for p in _pieces(tokenizer, text)]
    words = [w for text in texts for w in _WORD.findall(text)]
    split = sum(len(_pieces(tokenizer, w)) > 1 for w in words)
    return {
        "tokens": len(pieces),
        "single_char_share": round(sum(len(p) == 1 for p in pieces) / max(1, len(pieces)), 4),
        "single_letter_share": round(sum(len(p) == 1 and p.isalpha() for p in pieces)
                                     / max(1, len(pieces)), 4),
        "words": len(words),
        "split_word_share": round(split / max(1, len(words)), 4),
    }


def position_dependent_words(tokenizer, words: list[str]) -> list[str]:
    """Words whose ids differ between positions: alone, after a space, at a line start, after
    punctuation or a quote, before punctuation. Empty for the kit's tokenizer (tested)."""
    def ids(text: str) -> list[int]:
        return tokenizer(text, add_special_tokens=False)["input_ids"]

    bad = []
    for w in words:
        alone = ids(w)
        contexts = (f"x {w}", f"x\n{w}", f"x,{w}", f'"{w}', f"{w}.", f"x {w}\n")
        if any(alone != _span(ids(c), ids(c.replace(w, ""))) for c in contexts):
            bad.append(w)
    return bad


def _span(with_word: list[int], without: list[int]) -> list[int]:
    """The ids `with_word` has beyond `without` (the word's own ids, where they are contiguous)."""
    i = 0
    while i < len(without) and i < len(with_word) and with_word[i] == without[i]:
        i += 1
    j = 0
    while (j < len(without) - i and j < len(with_word) - i
           and with_word[-1 - j] == without[-1 - j]):
        j += 1
    return with_word[i:len(with_word) - j]


def _answers(records: Iterable[dict]) -> list[str]:
    return [r["messages"][-1]["content"] for r in records]


def dataset_token_stats(tokenizer) -> dict[str, dict[str, float]]:
    """token_stats of the domain answers and of the instruction answers (training splits)."""
    from helpers.build.domain.qa import build_splits as domain_splits
    from helpers.build.tasks.build import build_splits as task_splits

    return {"domain_answers": token_stats(tokenizer, _answers(domain_splits()["train"])),
            "instruction_answers": token_stats(tokenizer, _answers(task_splits()["train"]))}


def answer_token_coverage(tokenizer, train_ids) -> dict[str, dict[str, Any]]:
    """How many token types of the domain answers and of the instruction answers never occur in
    the pretraining stream `train_ids`. Such a token's embedding is never trained (it stays at
    its random initialisation), so LoRA fine-tuning, which leaves embeddings frozen, can hardly
    make the model say it: the reason for lexicon.py."""
    from helpers.build.domain.qa import build_splits as domain_splits
    from helpers.build.tasks.build import build_splits as task_splits

    seen = set(int(i) for i in train_ids)
    out = {}
    for name, records in (("domain_answers", domain_splits()["train"]),
                          ("instruction_answers", task_splits()["train"])):
        types = {i for text in _answers(records)
                 for i in tokenizer(text, add_special_tokens=False)["input_ids"]}
        absent = sorted(types - seen)
        out[name] = {"token_types": len(types), "absent_from_corpus": len(absent),
                     "examples": tokenizer.convert_ids_to_tokens(absent[:8])}
    return out


def world_words() -> list[str]:
    """Every word of the micro world: the task lexicon plus names, towns, days and months."""
    from helpers import world
    from helpers.build.tasks.lexicon import WORDS

    return sorted(set(WORDS) | set(world.PEOPLE) | set(world.TOWNS) | set(world.DAYS)
                  | set(world.MONTHS))


def vocabulary_position_check(tokenizer) -> dict[str, Any]:
    """How many world words change ids with their position (0 for the kit's tokenizer)."""
    words = world_words()
    bad = position_dependent_words(tokenizer, words)
    return {"words_checked": len(words), "position_dependent": len(bad), "examples": bad[:5]}


def never_seen_token_ids(tokenizer, train_ids) -> list[int]:
    """Token ids of `tokenizer` that never occur in the pretraining stream `train_ids`."""
    seen = set(int(i) for i in train_ids)
    return [i for i in range(len(tokenizer)) if i not in seen]


def ids_by_line_kind(tokenizer, docs) -> tuple[set[int], set[int]]:
    """(ids on word-list lines, ids on every other line) of `docs`. Every whitespace and
    punctuation mark is a token of its own, so a line encodes alone to the same ids as inside
    its document."""
    from helpers.build.micro.checks import _WORD_LIST_LINE

    in_lists, in_sentences = set(), set()
    lines = [line for d in docs for line in d.split("\n")]
    for start in range(0, len(lines), 4096):
        chunk = lines[start:start + 4096]
        for line, ids in zip(chunk, tokenizer(chunk, add_special_tokens=False)["input_ids"]):
            (in_lists if _WORD_LIST_LINE.match(line) else in_sentences).update(ids)
    return in_lists, in_sentences


def list_only_token_ids(tokenizer, docs) -> list[int]:
    """Token ids that occur in `docs` only on word-list lines (lexicon.py), never in a sentence."""
    in_lists, in_sentences = ids_by_line_kind(tokenizer, docs)
    return sorted(in_lists - in_sentences)


def write_untrained_tokens(model_dir, list_only: bool = False) -> tuple[Path, int, int]:
    """Write <model_dir>/untrained_tokens.json: the token ids the last pretraining stage never
    contained (rebuilt from pretrain_metrics.json: the corpus is deterministic), and their
    count into pretrain_metrics.json for the card. With `list_only`, also the ids it holds only
    in word lists, whose rows drift to one vector (data/results/sweep/README.md, "Frame twins
    dropped"). Returns the path, the count and the vocabulary size."""
    from transformers import AutoTokenizer

    from helpers.build.micro.corpus import recorded_split
    from helpers.build.micro.tokens import encode_documents
    from helpers.io import write_json
    from helpers.untrained_tokens import UNTRAINED_TOKENS_FILE

    tok = AutoTokenizer.from_pretrained(model_dir)
    train = recorded_split(model_dir).train
    ids = never_seen_token_ids(tok, encode_documents(tok, train))
    metrics_path = Path(model_dir) / "pretrain_metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    what = ("token ids the pretraining corpus never contains: embedding rows that stay at their "
            "random init (read by helpers.untrained_tokens)")
    doc = {"what": what, "vocab_size": len(tok), "count": len(ids), "ids": ids}
    if list_only:
        listed = list_only_token_ids(tok, train)
        both = sorted(set(ids) | set(listed))
        doc = {"what": what + "; and ids it holds only in word lists", "vocab_size": len(tok),
               "count": len(both), "ids": both, "list_only": len(listed)}
    metrics["corpus"]["untrained_tokens"] = {"count": len(ids), "vocab_size": len(tok),
                                             "in_domain_questions": _question_words(tok, ids)}
    if list_only:  # the card says the list holds them too
        metrics["corpus"]["untrained_tokens"]["list_only"] = len(listed)
    write_json(metrics, metrics_path)
    return write_json(doc, Path(model_dir) / UNTRAINED_TOKENS_FILE), doc["count"], len(tok)


def _question_words(tokenizer, ids: list[int], n: int = 8) -> list[str]:
    """The `n` words among `ids` that the domain training questions use most (the plain
    questions: their greeting/thanks copies would put "Thanks" first)."""
    from collections import Counter

    from helpers.build.domain.qa import build_splits as domain_splits

    untrained = set(ids)
    plain = [r for r in domain_splits()["train"] if ".v" not in r["id"]]
    counts = Counter(i for text in _record_texts(plain, roles=("user",))
                     for i in tokenizer(text, add_special_tokens=False)["input_ids"]
                     if i in untrained)
    words = [tokenizer.convert_ids_to_tokens(i) for i, _ in counts.most_common()]
    return [w for w in words if w.isalpha()][:n]
