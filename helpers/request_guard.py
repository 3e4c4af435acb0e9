"""A small, honest guard in front of the domain assistant: refuse or escalate before the model.

Three checks, in order, each simple enough to read in a minute:
1. Denylist: regular expressions for unsafe intents (other customers' data, break-ins, staff
   credentials, dodging the bill, refund fraud, attacks) and competitor names → refusal. Every
   pattern is grounded in the training/validation requests (tests check that) — none was written
   for a test-split phrasing.
2. Domain anchors: a prompt that mentions no word the assistant's domain uses is off-topic →
   refusal. Anchors are learned from the training split: words of in-scope questions and KB
   answers that occur mostly (`anchor_share`) in in-scope rather than refused requests.
3. A naive-Bayes classifier over words and character 3–4-grams, trained on the training split's
   questions (fact / escalate / refuse): acts only when confident (`refuse_threshold`,
   `escalate_threshold`); everything else goes to the model.

Limits, measured in notebook 07 and tests/test_request_guard.py: it knows only the words of the
training split, so an off-topic request that happens to use hosting words ("write a poem about
my server") passes, and an in-scope question in entirely new words can be refused; the
denylist is easy to evade by rephrasing — it is a first line, not a security boundary; the
close pairs of the domain set ("send spam from my server" vs "someone is sending spam from your
network") are exactly where keyword rules fail. Measure before trusting it: `evaluate_guard`.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from helpers.domain import DOMAIN_TERMS, ESCALATION_MESSAGE, REFUSAL_MESSAGE

# (intent, pattern) pairs, matched on the lower-cased prompt. Each one generalises phrasings of
# the training/validation refusals (tests/test_request_guard.py checks every pattern matches one of them
# and no in-scope training/validation question).
DENYLIST: tuple[tuple[str, str], ...] = (
    ("competitor", r"\b(cirrobyte|stratohost)\b"),
    ("other people's data", r"\b(another|other) (customer|user)s?\b"),  # not "other people's
    #   data": "I can see other people's data in the panel" is a bug report (escalate)
    ("other people's data", r"\b(someone|neighbou?r)'s\b"),
    ("other people's data", r"\ball (\w+ )?customers\b|\bcustomer database\b"),
    ("other people's data", r"\bemail of the customer\b"),
    ("break-in", r"\b(hack|break|get) into\b|\bget root\b|\bbrute[- ]?force\b"),
    ("break-in", r"\bsteal\b|\bguess\b.*\bpassword\b"),
    ("staff credentials", r"\b(admin|root|staff)\b.*\b(password|panel|login)\b"),
    ("staff credentials", r"\bapi keys? of\b"),
    ("dodging the bill", r"\bwithout pay|\bfree servers?\b"),
    ("dodging the bill", r"\b(around|skip|turn off|bypass)\b.*\b(billing|invoice)\b"),
    ("refund fraud", r"\b(trick|fake)\b|\brefund twice\b|\bas paid\b|\bnever paid\b"),
    ("attack", r"\b(launch|send|host|write)\b.*\b(ddos|spam|phishing|malware)\b"),
    ("attack", r"\bmine crypto\b"),
)
# Words too common to say anything about the topic (never anchors). "advance" comes from the
# training split's "Thanks in advance" decorations, which are on in-scope questions only.
STOPWORDS = frozenset((  # noqa: SIM905 (one string reads better than 100 quoted words)
    "a an the i im me my you your we our us it its is are was were be been do does did how what "
    "when where which who why can could would should will may might to of in on at for from with "
    "and or but if so not no this that these those there here any some all every much many have "
    "has had get got please thanks thank hi hello hey quick question good morning just up out "
    "into than then too very also only need want like know tell give help make let am advance"
).split())


class GuardInputError(ValueError):
    """Records or prompts the guard cannot use; the message says what to pass instead."""


@dataclass
class GuardSettings:
    """How eager the guard is. Defaults chosen on the validation split (never on test)."""

    use_denylist: bool = True  # check 1: unsafe-intent patterns and competitor names
    min_anchors: int = 1  # check 2: domain words a prompt needs to count as on-topic (0 = off)
    anchor_share: float = 0.5  # a word is an anchor when ≥ this share of its training uses are
    #                            in-scope; higher = fewer anchors = more (false) refusals
    refuse_threshold: float | None = 0.999999  # check 3: classifier P(refuse) needed to refuse;
    #   naive Bayes is over-confident (n-grams are not independent), hence the extreme value.
    #   0.999 until the domain set gave each refusal request two decorated copies: then short
    #   in-scope questions ("What is the billing date?") crossed it, 0.063 false refusals on
    #   validation; 0.999999 brings that to 0.038 and keeps every validation refusal
    escalate_threshold: float | None = None  # check 3: P(escalate) needed to escalate; off by
    #   default: on validation it also escalated fact questions ("delete my account" reads like
    #   "I lost my data"), and the fine-tuned model escalates better on its own
    smoothing: float = 1.0  # naive-Bayes add-k smoothing; smaller trusts rare n-grams more


@dataclass(frozen=True)
class Verdict:
    """What the guard decided for one prompt."""

    action: str  # "pass" (ask the model), "refuse" or "escalate"
    reason: str  # which check decided, e.g. "denylist: break-in", "no domain words"
    response: str | None  # the fixed message to send; None when the model answers


def user_text(prompt: str | Sequence[Mapping]) -> str:
    """The text to judge: a plain string, or the last user turn of chat messages."""
    if isinstance(prompt, str):
        return prompt
    turns = [m["content"] for m in prompt if m.get("role") == "user"]
    if not turns:
        raise GuardInputError("guard: the chat prompt has no user turn; pass messages with a "
                         "{'role': 'user', 'content': ...} entry")
    return turns[-1]


def words(text: str) -> list[str]:
    """Lower-cased words with apostrophes dropped ("I'm" → "im")."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("\u2019", ""))


def features(text: str) -> list[str]:
    """Words plus character 3- and 4-grams of each word (so "escalated" shares "escalation"'s)."""
    out = []
    for w in words(text):
        padded = f"<{w}>"
        out.append(w)
        out += [padded[i:i + k] for k in (3, 4) for i in range(max(1, len(padded) - k + 1))]
    return out


def content_words(text: str) -> set[str]:
    """Words that carry topic, singular ("servers" → "server"): what anchors are made of."""
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in words(text) if w not in STOPWORDS and not w.isdigit()}


def _question(record: Mapping) -> str:
    return user_text([m for m in record["messages"] if m.get("role") == "user"])


def _answer(record: Mapping) -> str:
    return record["messages"][-1]["content"] if record["kind"] != "refuse" else ""


@dataclass
class Guard:
    """The fitted guard: anchors and naive-Bayes counts from a training split."""

    settings: GuardSettings
    anchors: frozenset[str]  # domain words (check 2)
    counts: dict[str, Counter]  # kind → feature counts (check 3)
    totals: dict[str, int] = field(default_factory=dict)  # kind → total feature count
    vocab_size: int = 0  # distinct features seen in training

    @classmethod
    def fit(cls, records: Sequence[Mapping], settings: GuardSettings | None = None) -> Guard:
        """Learn anchors and the classifier from domain records (use the train split only)."""
        settings = settings or GuardSettings()
        kinds = {r.get("kind") for r in records}
        if not {"fact", "refuse"} <= kinds:
            raise GuardInputError("Guard.fit needs records of kind 'fact' and 'refuse' (data/domain "
                             f"train split); got kinds {sorted(map(str, kinds))}")
        inside, outside, counts = Counter(), Counter(), defaultdict(Counter)
        for rec in records:
            question = _question(rec)
            counts[rec["kind"]].update(features(question))
            if rec["kind"] == "refuse":
                outside.update(content_words(question))
            else:
                inside.update(content_words(question) | content_words(_answer(rec)))
        anchors = {w for w, n in inside.items() if n / (n + outside[w]) >= settings.anchor_share}
        anchors |= {t.lower() for t in DOMAIN_TERMS}
        vocab = set().union(*counts.values())
        return cls(settings, frozenset(anchors), dict(counts),
                   {k: sum(c.values()) for k, c in counts.items()}, len(vocab))

    def probabilities(self, text: str) -> dict[str, float]:
        """Naive-Bayes P(kind | text) with uniform priors (unknown features are ignored)."""
        k = self.settings.smoothing
        feats = [f for f in features(text) if any(f in c for c in self.counts.values())]
        logp = {kind: sum(math.log((c[f] + k) / (self.totals[kind] + k * self.vocab_size))
                          for f in feats) for kind, c in self.counts.items()}
        top = max(logp.values())
        norm = sum(math.exp(v - top) for v in logp.values())
        return {kind: math.exp(v - top) / norm for kind, v in logp.items()}

    def check(self, prompt: str | Sequence[Mapping]) -> Verdict:
        """Decide one prompt: refuse, escalate, or pass it to the model."""
        text, s = user_text(prompt), self.settings
        if s.use_denylist:
            for intent, pattern in DENYLIST:
                if re.search(pattern, text.lower().replace("\u2019", "'")):
                    return Verdict("refuse", f"denylist: {intent}", REFUSAL_MESSAGE)
        if s.min_anchors and len(content_words(text) & self.anchors) < s.min_anchors:
            return Verdict("refuse", "no domain words", REFUSAL_MESSAGE)
        probs = self.probabilities(text)
        if s.refuse_threshold is not None and probs.get("refuse", 0.0) >= s.refuse_threshold:
            return Verdict("refuse", f"classifier: refuse (p={probs['refuse']:.2f})",
                           REFUSAL_MESSAGE)
        if s.escalate_threshold is not None and probs.get("escalate", 0.0) >= s.escalate_threshold:
            return Verdict("escalate", f"classifier: escalate (p={probs['escalate']:.2f})",
                           ESCALATION_MESSAGE)
        return Verdict("pass", "in scope", None)


def guard_responses(guard: Guard, prompts: Sequence) -> list[Verdict]:
    """The guard's verdict for every prompt (chat messages or strings)."""
    return [guard.check(p) for p in prompts]


def apply_guard(verdicts: Sequence[Verdict], model_answers: Sequence) -> list[str]:
    """Guard + model: the guard's message where it acted, the model's answer elsewhere."""
    texts = [a if isinstance(a, str) else a.text for a in model_answers]
    if len(texts) != len(verdicts):
        raise GuardInputError(f"apply_guard: {len(verdicts)} verdicts but {len(texts)} model answers; "
                         "pass one answer per prompt, in the same order")
    return [v.response if v.response is not None else t for v, t in zip(verdicts, texts)]


def guarded_generate(guard: Guard, model, tokenizer, prompts: Sequence, settings=None,
                     batch_size: int = 16) -> list[str]:
    """What a deployment does: the guard first, the model only for the prompts it passes."""
    from helpers.generate import generate_batch

    verdicts = guard_responses(guard, prompts)
    passed = [p for p, v in zip(prompts, verdicts) if v.action == "pass"]
    answers = iter(generate_batch(model, tokenizer, passed, settings, batch_size) if passed else [])
    return [v.response if v.response is not None else next(answers).text for v in verdicts]


GUARD_METRICS = ("refusal_rate", "false_refusal_rate", "escalation_rate",
                 "false_escalation_rate", "fact_accuracy", "accuracy")


def evaluate_guard(guard: Guard, records: Sequence[Mapping], model_answers: Sequence | None = None):
    """Domain metrics (helpers.evaluate.domain_metrics) for the guard alone and, given the
    model's answers to the same records, for the model alone and for guard + model.

    Guard alone: its message where it acts, an empty answer where it would ask the model — so
    its refusal_rate is the share of out-of-scope requests it catches by itself and its
    false_refusal_rate the share of in-scope ones it wrongly blocks (fact accuracy: n/a).
    """
    from helpers.evaluate import ResultTable, domain_metrics
    from helpers.evaluate.suite import prompt_of

    verdicts = guard_responses(guard, [prompt_of(r) for r in records])
    rows = {"guard alone": [v.response or "" for v in verdicts]}
    if model_answers is not None:
        rows["model alone"] = [a if isinstance(a, str) else a.text for a in model_answers]
        rows["guard + model"] = apply_guard(verdicts, model_answers)
    table = ResultTable()
    for label, answers in rows.items():
        m = domain_metrics(records, answers)
        row = {"system": label, **{k: m[k] for k in GUARD_METRICS}}
        if label == "guard alone":
            row["fact_accuracy"] = row["accuracy"] = None  # it never answers a question
        table.append(row)
    return table
