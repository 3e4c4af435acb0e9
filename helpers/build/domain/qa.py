"""Question/answer records from the knowledge base, split so test phrasings are never trained on.

Every fact has one or more question groups (helpers.build.domain.questions), every out-of-scope or
needs-a-human request a list of paraphrases (helpers.domain.scope). The split unit is the
*paraphrase template* within a group: with the default config one template per group goes to
validation, one to test, the rest to train. Every fact is therefore trained on, but validation
and test ask for it in words the model never saw — which is what "did it learn the fact, or the
sentence?" needs. Plan templates are shared by the four plans, so a held-out plan template is
unseen for every plan.

Training questions also get greeting/thanks-decorated copies ("Hi, what is the refund
window? Thanks!"): cheap robustness, and still no overlap with held-out phrasings.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from helpers.build.domain.frames import attribute_frame, is_twin
from helpers.build.domain.questions import (
    ATTRIBUTE_WORDS,
    CROSSED_FRAMES,
    MORE_TRAIN_QUESTIONS,
    MORE_TRAIN_REQUESTS,
    QUESTIONS,
)
from helpers.domain.kb import COMPANY, PLANS, build_facts
from helpers.domain.scope import SCOPE_REQUESTS
from helpers.domain.score import is_correct, normalise
from helpers.domain.splits import DOMAIN_SYSTEM_PROMPT, SPLITS  # noqa: F401  (re-exported)

# Added to training questions only; proper nouns after a prefix keep their capital letter.
_PREFIXES = ("Hi, ", "Hello, ", "Hey, ", "Quick question: ", "Good morning, ")
_SUFFIXES = (" Thanks!", " Thank you.", " Please help.", " Thanks in advance.")
_KEEP_CASE = {"I", COMPANY, *(p.name for p in PLANS), "Cirrobyte", "Stratohost"}


class DomainDataError(ValueError):
    """The knowledge base, questions or split settings are inconsistent (says which and where)."""


@dataclass(frozen=True)
class DomainConfig:
    """How the domain set is split and augmented. The defaults built data/domain/."""

    seed: int = 0  # picks the held-out templates of each group and the record order
    val_templates: int = 1  # templates per question group held out for validation
    test_templates: int = 1  # templates per question group held out for test (never trained)
    train_variants: int = 1  # decorated copies of each training question (0 = none)
    # Add the training-only paraphrases (questions.MORE_TRAIN_*): about twice the wordings per
    # fact, the same test. Off for the bundled set: it pays only with ~900 SFT steps, twice the
    # notebooks' budget (data/results/sweep/sft_stage5_wordings.json). Since 2026-12-08 it
    # leaves out the 8 training-only requests that share a four-word sequence with a held-out
    # request (as `more_requests` does); the stage-5 rows were measured with them in.
    more_wordings: bool = False
    # Add the plan questions that cross every frame with every attribute word
    # (questions.CROSSED_FRAMES): the frame stops predicting the attribute. On for the bundled
    # set since the 3-seed sweep (data/results/sweep/README.md): facts on new phrasings 0.162 ->
    # 0.224, false refusals 0.198 -> 0.101, with the untrained embedding rows trained too.
    crossed_frames: bool = True
    # Decorated copies of each refusal/escalation training request (None = train_variants).
    # The crossed frames add only fact questions, so refusals become a smaller share of the
    # mix (20.6% -> 13.5% of the records); 2 copies put their share back to 18.3%.
    scope_variants: int | None = 2
    # Drop training plan questions whose frame is a held-out plan question's frame with another
    # attribute (helpers.build.domain.frames): the frame then predicts no attribute. Same
    # validation and test questions. On by default since the stage-9 base: with it, domain SFT
    # answers 0.586 of new-phrasing fact questions (3 seeds) instead of confusing attributes.
    drop_frame_twins: bool = True
    # Add the training-only paraphrases of the refusal and escalation requests
    # (questions.MORE_TRAIN_REQUESTS) without the fact ones (`more_wordings` adds both). Any that
    # shares a four-word sequence with a validation or test request is left out. Off for now:
    # with scope_variants=1 it lifts refusals 0.583 -> 0.729 and escalations 0.519 -> 0.704 at
    # the same facts, but false refusals reach 0.101 (3 seeds, data/results/sweep/README.md).
    more_requests: bool = False


@dataclass(frozen=True)
class _Group:
    """One split unit: the paraphrases of one question and the answer they all get."""

    key: str  # split key: shared by the four plans of a plan template group
    id_prefix: str  # record ids are f"{id_prefix}.t{template_index}"
    kind: str  # "fact", "refuse" or "escalate"
    topic: str  # KB topic, or "out_of_scope"/"unsafe"
    answer: str  # assistant reply
    facts: tuple[str, ...]  # required fact strings (empty for refuse/escalate)
    templates: tuple[str, ...]  # rendered paraphrases; the held-out ones are drawn from these
    extra: tuple[str, ...] = ()  # rendered training-only paraphrases (never held out)
    dropped: frozenset[int] = frozenset()  # template indices not trained on (frame twins)


def _extra_questions(key: str, wanted: bool) -> tuple[tuple[str, ...], ...]:
    """The training-only groups of question key `key` (empty ones unless `wanted`), checked
    against QUESTIONS' groups."""
    extra = MORE_TRAIN_QUESTIONS.get(key, ()) if wanted else ()
    if extra and len(extra) != len(QUESTIONS[key]):
        raise DomainDataError(
            f"helpers/build/domain/questions.py: MORE_TRAIN_QUESTIONS[{key!r}] has {len(extra)} "
            f"groups, QUESTIONS[{key!r}] has {len(QUESTIONS[key])}; give one tuple per group, "
            "in the same order"
        )
    return extra or ((),) * len(QUESTIONS[key])


def _check_extra_keys() -> None:
    """A training-only paraphrase under a key nothing uses would be silently dropped: refuse it."""
    unknown = sorted(set(MORE_TRAIN_QUESTIONS) - set(QUESTIONS))
    unknown += sorted(set(MORE_TRAIN_REQUESTS) - {r.key for r in SCOPE_REQUESTS})
    if unknown:
        raise DomainDataError(
            f"helpers/build/domain/questions.py: training-only paraphrases under unknown keys "
            f"{unknown}; use a key of QUESTIONS (facts) or of helpers.domain.scope (requests)"
        )


def _grams(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = normalise(text).split()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def _held_out(key: str, templates: tuple[str, ...], config: DomainConfig) -> list[str]:
    """The validation and test templates of question group `key` (`_template_splits`)."""
    splits = _template_splits(key, len(templates), config)
    return [t for t, split in zip(templates, splits) if split != "train"]


def _crossed_questions(fact, config: DomainConfig) -> tuple[str, ...]:
    """The crossed-frame questions of a plan fact, minus any that shares a four-word sequence
    with a validation or test question of the same fact (so no near-copy of a test question
    is trained on)."""
    if not config.crossed_frames or fact.question_key not in ATTRIBUTE_WORDS:
        return ()
    held = {g for qi, group in enumerate(QUESTIONS[fact.question_key])
            for t in _held_out(f"{fact.question_key}.q{qi}", group, config)
            for g in _grams(t.format(plan=fact.plan))}
    texts = (frame.format(word=word, plan=fact.plan) for frame in CROSSED_FRAMES
             for word in ATTRIBUTE_WORDS[fact.question_key])
    return tuple(t for t in texts if not _grams(t) & held)


def _held_out_frames(config: DomainConfig) -> list[tuple[str, ...]]:
    """The frames of every validation and test plan question template, all attributes."""
    return [attribute_frame(t) for key in ATTRIBUTE_WORDS
            for qi, group in enumerate(QUESTIONS[key])
            for t in _held_out(f"{key}.q{qi}", group, config)]


def _frame_twins(key: str, qi: int, config: DomainConfig,
                 held: list[tuple[str, ...]]) -> frozenset[int]:
    """Indices of group `qi` of plan key `key` whose training template is a frame twin of one
    of the `held` frames (`_held_out_frames`, computed once per build)."""
    if not config.drop_frame_twins or key not in ATTRIBUTE_WORDS:
        return frozenset()
    group = QUESTIONS[key][qi]
    splits = _template_splits(f"{key}.q{qi}", len(group), config)
    return frozenset(i for i, (t, split) in enumerate(zip(group, splits))
                     if split == "train" and is_twin(t, held))


def _groups(config: DomainConfig) -> Iterator[_Group]:
    """Every question group of the dataset, facts first, in a stable order (with the
    training-only paraphrases when `config.more_wordings`, the crossed-frame plan questions
    when `config.crossed_frames`)."""
    more_wordings = config.more_wordings
    _check_extra_keys()
    held = _held_out_frames(config) if config.drop_frame_twins else []
    for fact in build_facts():
        if fact.question_key not in QUESTIONS:
            raise DomainDataError(
                f"fact {fact.id!r}: no questions under key {fact.question_key!r} in "
                "helpers/build/domain/questions.py; add a question group for it"
            )
        extras = _extra_questions(fact.question_key, more_wordings)
        for qi, (group, extra) in enumerate(zip(QUESTIONS[fact.question_key], extras)):
            texts, more = (tuple(t.format(plan=fact.plan) if fact.plan else t for t in g)
                           for g in (group, extra))
            if qi == 0:
                more += _crossed_questions(fact, config)
            yield _Group(f"{fact.question_key}.q{qi}", f"fact.{fact.id}.q{qi}", "fact",
                         fact.topic, fact.statement, fact.facts, texts, more,
                         _frame_twins(fact.question_key, qi, config, held))
    extra_requests = more_wordings or config.more_requests
    held_requests = _held_out_request_grams(config) if extra_requests else set()
    for req in SCOPE_REQUESTS:
        key = f"{req.kind}.{req.key}"
        extra = MORE_TRAIN_REQUESTS.get(req.key, ()) if extra_requests else ()
        yield _Group(key, key, req.kind, req.topic, req.response, (), req.paraphrases,
                     tuple(t for t in extra if not _grams(t) & held_requests))


def _held_out_request_grams(config: DomainConfig) -> set[tuple[str, ...]]:
    """The four-word sequences of every validation and test request (all refusal and
    escalation keys): a training-only request sharing one is a near-copy of a held-out one."""
    return {g for req in SCOPE_REQUESTS
            for t in _held_out(f"{req.kind}.{req.key}", req.paraphrases, config)
            for g in _grams(t)}


def _template_splits(key: str, n: int, config: DomainConfig) -> list[str]:
    """Split name of each of the n templates of group `key` (seeded by key, not by order)."""
    held = config.val_templates + config.test_templates
    if n < max(4, held + 1):
        raise DomainDataError(
            f"question group {key!r} has {n} paraphrases; needs at least {max(4, held + 1)} "
            "(4 minimum, and one left for training after the held-out ones)"
        )
    order = random.Random(f"{config.seed}:{key}").sample(range(n), n)
    names = ["train"] * n
    for rank, idx in enumerate(order[:held]):
        names[idx] = "test" if rank < config.test_templates else "validation"
    return names


def _decorate(question: str, rng: random.Random) -> str:
    """Add a greeting and/or a sign-off, the way real tickets are written."""
    mode = rng.choice(("prefix", "suffix", "both"))
    text = question
    if mode in ("prefix", "both"):
        first = re.split(r"\W", text, maxsplit=1)[0]  # "I'm" -> "I"
        head = text if first in _KEEP_CASE or text[1:2].isupper() else text[0].lower() + text[1:]
        text = rng.choice(_PREFIXES) + head
    if mode in ("suffix", "both"):
        text += rng.choice(_SUFFIXES)
    return text


def _record(rid: str, g: _Group, question: str, split: str) -> dict:
    messages = [
        {"role": "system", "content": DOMAIN_SYSTEM_PROMPT},
        {"role": "user", "content": question},
        {"role": "assistant", "content": g.answer},
    ]
    return {"messages": messages, "id": rid, "kind": g.kind, "topic": g.topic,
            "facts": list(g.facts), "split": split}


def _group_records(g: _Group, config: DomainConfig) -> Iterator[dict]:
    splits = _template_splits(g.key, len(g.templates), config) + ["train"] * len(g.extra)
    for ti, (text, split) in enumerate(zip(g.templates + g.extra, splits)):
        if ti in g.dropped:
            continue
        rid = f"{g.id_prefix}.t{ti}"
        yield _record(rid, g, text, split)
        if split == "train":
            rng = random.Random(f"{config.seed}:{rid}")
            copies = config.train_variants
            if g.kind != "fact" and config.scope_variants is not None:
                copies = config.scope_variants
            for v in range(1, copies + 1):
                yield _record(f"{rid}.v{v}", g, _decorate(text, rng), split)


def _check(records: list[dict]) -> None:
    """Fail loudly on leakage, conflicting answers, or an answer that fails its own checker."""
    answer_of: dict[str, tuple[str, str]] = {}
    train_qs = {normalise(r["messages"][1]["content"]) for r in records if r["split"] == "train"}
    for r in records:
        q, a = normalise(r["messages"][1]["content"]), r["messages"][2]["content"]
        if r["split"] != "train" and q in train_qs:
            raise DomainDataError(f"record {r['id']!r}: {r['split']} question also in train: {q!r}")
        if answer_of.setdefault(q, (a, r["id"]))[0] != a:
            raise DomainDataError(f"records {answer_of[q][1]!r} and {r['id']!r}: same question, "
                                  "different answers; reword one of the templates")
        if not is_correct(r, a):
            raise DomainDataError(f"record {r['id']!r}: answer fails its own checker: {a!r}")


def build_splits(config: DomainConfig | None = None) -> dict[str, list[dict]]:
    """All records, checked and split into train/validation/test, each shuffled by the seed."""
    config = config or DomainConfig()
    records = [r for g in _groups(config) for r in _group_records(g, config)]
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise DomainDataError("duplicate record ids: two facts or requests share an id")
    _check(records)
    splits = {s: [r for r in records if r["split"] == s] for s in SPLITS}
    for name, recs in splits.items():
        random.Random(f"{config.seed}:order:{name}").shuffle(recs)
    return splits
