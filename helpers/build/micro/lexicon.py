"""Document genres that teach the model to *say* every word its tokenizer has.

Why this module exists: the tokenizer is trained on the corpus plus the word lists of the domain
set and the instruction suite (vocab.py), so "server" or "yes" is one token. But the first
corpus never used those words, so 2,046 of the 3,072 embedding rows kept their random
initialisation: 124 of the 201 token types of the domain answers ("Tempest", "GB", "storage",
"human", "agent") and the "yes" of `contains_item` had never been predicted. The tied output
embedding of such a token is a random vector, LoRA does not train embeddings, and domain SFT sat
at 0.03 fact accuracy while the same answers were in its training set.

A real base model has read "server" and "storage" many times; it just has never read Nimbusly's
policies. These genres give the micro model the same: the extra words appear only inside word
lists that are copied (a skill the instruction families need anyway), one domain word at most per
list line, never in a sentence, never beside a number — so the corpus still carries no fact about
the hosting domain (checks.py allows exactly such list lines, and nothing else).
"""

from __future__ import annotations

import functools
import random

from helpers import world
from helpers.build.micro.phrases import a, number, pronoun, sample

_NOUNS = world.OBJECTS + world.ANIMALS + world.FOODS
_TICKET_VERBS = {"open", "opened", "close", "closed", "raise", "raised", "submit", "submitted",
                 "file", "filed", "resolve", "resolved"}


POOLS = ("all", "answers")  # CorpusConfig.lexicon_pool: which words the lists draw from


@functools.lru_cache(maxsize=2)
def word_pools(pool: str = "all") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(plain extra words, domain-term words) that the world vocabulary lacks, from
    pool="all": every word of the domain set and the instruction prompts (stage 4), or
    pool="answers": only the words of the answers (vocab.answer_vocabulary), which is what an
    output embedding must have learned; 150 words instead of 900, so each is seen 6x as often.
    Words the denylist rejects for another reason than being a domain term (task verbs such as
    "Reverse", which would look like a request) are left out."""
    from helpers.build.micro.checks import find_violations
    from helpers.build.micro.vocab import (
        answer_vocabulary,
        domain_vocabulary,
        instruction_vocabulary,
        world_words,
    )
    from helpers.domain import DOMAIN_TERMS

    if pool not in POOLS:
        raise ValueError(f"lexicon pool {pool!r}: use one of {POOLS}")
    words = (set(answer_vocabulary()) if pool == "answers"
             else set(domain_vocabulary()) | set(instruction_vocabulary()))
    plain, domain = [], []
    # "ticket" is world vocabulary (a train ticket), and "open ticket" in a list would read as a
    # support ticket to the denylist: the verbs of that rule stay out of the lists.
    # (pool "all" keeps them: stage 4's corpus must stay reproducible.)
    left_out = _TICKET_VERBS if pool == "answers" else set()
    for w in sorted(words - set(world_words()) - left_out):
        if find_violations([w], DOMAIN_TERMS, allowed=()):  # alone on a line, yet not allowed: a task verb
            continue
        # allowed=(): "storage" is still a domain term in a list, as in the stage-4 corpus
        is_term = bool(find_violations([f"It was {w}."], DOMAIN_TERMS, allowed=()))
        (domain if is_term else plain).append(w)
    return tuple(plain), tuple(domain)


def _word_list(rng: random.Random, pool: str) -> list[str]:
    """2-6 words: extra words mixed with world nouns, at most one domain term."""
    plain, domain = word_pools(pool)
    words = sample(rng, plain, rng.randint(1, 3)) + sample(rng, _NOUNS, rng.randint(1, 2))
    if rng.random() < 0.5:
        words.append(rng.choice(domain))
    rng.shuffle(words)
    return words


@functools.lru_cache(maxsize=1)
def _checker():
    from helpers.build.micro.checks import _compile_rules
    from helpers.domain import DOMAIN_TERMS

    return _compile_rules(DOMAIN_TERMS)


def _list_violates(words: list[str]) -> bool:
    """True if a list line of these words would break a denylist rule (two domain terms)."""
    rules = _checker()
    for line in (", ".join(words), " ".join(words)):  # the separators a list line may use
        if len(rules["domain term"].findall(line)) > 1 or any(
                rule.search(line) for name, rule in rules.items() if name != "domain term"):
            return True
    return False


def copied_list(rng: random.Random, pool: str = "all") -> str:
    """Someone copies a list of words, line by line: the list again, reversed or sorted."""
    p = rng.choice(world.PEOPLE)
    where = rng.choice(("note", "card", "board", "page", "label"))
    words = _word_list(rng, pool)
    while pool == "answers" and _list_violates(words):  # e.g. "GB per month": two domain terms
        words = _word_list(rng, pool)
    sep = rng.choice((", ", " ", "\n"))
    head = rng.choice((f"{p} found an old {where}. It said:", f"On the {where} {p} had written:",
                       f"The {where} on the wall said:"))
    copy = rng.choice((
        (f"{p} copied it onto another {where}:", words),
        (f"{p} read it again:", words),
        ("Read from the bottom up, it said:", words[::-1]),
        (f"{p} wrote the words in alphabetical order:", sorted(words)),
    ))
    tail = rng.choice((f"There were {number(rng, len(words))} words.", f"{p} kept the {where}.",
                       f"Then {pronoun(p)} put the {where} away."))
    return "\n".join([head, sep.join(words), copy[0], sep.join(copy[1]), tail])


def asked_if(rng: random.Random) -> str:
    """Whether a thing is in a list, answered yes or no in prose (the skill of contains_item)."""
    p, q = sample(rng, world.PEOPLE, 2)
    items = sample(rng, _NOUNS, rng.randint(3, 5))
    present = rng.random() < 0.5
    thing = rng.choice(items) if present else rng.choice([n for n in _NOUNS if n not in items])
    box = rng.choice(("bag", "basket", "box", "drawer"))
    answer = "yes" if present else "no"
    return (f"{p} put {', '.join(items)} in the {box}. {q} asked if there was {a(thing)} in"
            f" the {box}. {p} said {answer}.")


def copied_answer_words(rng: random.Random) -> str:
    """copied_list drawing only from the words the answers use (CorpusConfig.lexicon_pool)."""
    return copied_list(rng, "answers")


def spelled_word(rng: random.Random) -> str:
    """A word of the domain's or the prompts' vocabulary, read out letter by letter, or put
    together from its letters.

    Why: in word lists every such word is predicted in the same places, so their embeddings
    drift to one vector (the plan attributes "storage", "RAM", "SSD", "vCPUs", "GB": mean
    pairwise cosine 0.905 after stage 8, data/results/micro/probe_stage8_bundled.json), and
    domain SFT cannot tell a storage question from a RAM one. Its letters are what makes each
    word itself: predicting them from the word, or the word from them, pulls the vectors apart.
    The word stands alone on a line and the letters on the next (both allowed list lines):
    no sentence holds it, so no fact about the hosting domain is stated."""
    plain, domain = word_pools("all")
    word = rng.choice(domain if rng.random() < 0.5 else plain)
    p, letters = rng.choice(world.PEOPLE), ", ".join(word)
    where = rng.choice(("note", "card", "board", "page", "label"))
    if rng.random() < 0.5:
        return (f"{p} found an old {where}. It said:\n{word}\n{p} read it out letter by "
                f"letter:\n{letters}\nThe word had {number(rng, len(word))} letters.")
    return (f"On the {where} {p} had written single letters:\n{letters}\nPut together, they "
            f"made the word:\n{word}\n{p} kept the {where}.")


GENRES = (copied_list, asked_if)  # lexicon_pool="all" (stage 4)
SPELLING_GENRES = (spelled_word,)  # CorpusConfig.spelling_weight
ANSWER_GENRES = (copied_answer_words, asked_if)  # lexicon_pool="answers"
