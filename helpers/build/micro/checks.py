"""The corpus contamination check: the base model must never see the instruction format.

The lessons measure what instruction tuning and domain SFT *add* to a base model. If the
pretraining text already contained chat markers, "Question:/Answer:" layouts, imperative task
requests ("Reverse the word…") or the hosting company's facts, the base model would already
half-know them and the before/after comparison would measure nothing. So the corpus generator's
output is scanned with this denylist (in the pretraining script and in tests/test_micro.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Prompt/response layouts used by instruction datasets (Alpaca, ShareGPT dumps, chat logs).
_FORMAT_PATTERNS = {
    "chat special token": r"<\|[^|>]*\|>|im_start|im_end",
    "labelled turn": (
        r"(?im)^\s*(?:#+\s*)?(?:instruction|question|answer|response|input|output|q|a|user|"
        r"assistant|system|human|bot|prompt|completion)\s*:"
    ),
    "inline label": r"(?i)\b(?:instruction|question|answer|response)\s*:",
    "markdown header": r"(?m)^#{2,}\s",
    # A train ticket is world vocabulary; a ticket that is opened, closed or raised is support.
    "support ticket": (
        r"(?i)\b(?:open|opened|close|closed|raise|raised|submit|submitted|file|filed|resolve|"
        r"resolved)\s+(?:a\s+|the\s+|your\s+|my\s+)?tickets?\b"
    ),
}

# Verbs that open a task request. Matched only at the start of a sentence (or after a quote),
# and not when followed by a colon: "Name: Ana" on a record card is a field, not a request.
TASK_VERBS = (
    "Reverse", "Count", "Sort", "List", "Translate", "Convert", "Extract", "Rewrite",
    "Summarize", "Summarise", "Classify", "Spell", "Capitalize", "Capitalise", "Uppercase",
    "Name", "Write", "Give", "Tell", "Answer", "Respond", "Calculate", "Compute", "Add",
    "Subtract", "Multiply", "Divide", "Find", "Identify", "Pick", "Choose", "Select",
    "Repeat", "Explain", "Describe", "Please", "Return", "Output", "Generate", "Complete",
    "Fill", "Determine", "Decide", "Check",
)
_SENTENCE_START = r"(?:^|(?<=[.!?:\n\"])\s*)"

# Words of the fictional hosting company's world (helpers.domain). Whole words, any case.
# Weather "clouds" is world vocabulary, so only the hosting senses of "cloud" are listed.
DOMAIN_DENYLIST = (
    "hosting", "host", "server", "servers", "plan", "plans", "price", "prices", "pricing",
    "refund", "refunds", "sla", "slas", "uptime", "downtime", "support", "support ticket",
    "billing", "bill", "billed", "invoice", "account", "accounts", "subscription",
    "subscribe", "customer", "customers", "discount", "domain", "dns", "ssl", "email",
    "password", "login", "backup", "backups", "database", "website", "bandwidth", "storage",
    "cpu", "gpu", "ram", "datacenter", "data center", "gigabyte", "gb", "tb", "vps",
    "dollar", "dollars", "euro", "euros", "upgrade", "downgrade", "cancel", "cloud hosting",
    "company", "per month", "monthly", "annual", "outage", "deploy", "api",
)

# Denylisted words whose everyday sense a sentence may use: a chest's storage, a cart's price
# (goods.py). Hosting facts stay out all the same: the plan names, the company, GB, RAM, vCPU
# and the rest of the list are still forbidden around them. Word lists (lexicon.py) still
# count them as domain terms, so the corpora of stages 1-8 are unchanged.
EVERYDAY_SENSES = ("storage", "price")


_WORD_LIST_LINE = re.compile(r"^[A-Za-z]+(?:(?:, | )[A-Za-z]+)*$")


def _without_word_lists(text: str, domain_rule: re.Pattern) -> str:
    """`text` with every pure word-list line holding at most one domain term blanked out.

    Line lengths are kept, so a match elsewhere reports the same excerpt."""
    lines = text.split("\n")
    return "\n".join(" " * len(line) if _WORD_LIST_LINE.match(line)
                     and len(domain_rule.findall(line)) <= 1 else line for line in lines)


@dataclass(frozen=True)
class Violation:
    """One forbidden match: which document, which rule, and the text around it."""

    doc_index: int  # position of the document in the checked sequence
    rule: str  # name of the rule that matched
    excerpt: str  # up to 60 characters around the match, to show what to fix


class CorpusContaminationError(ValueError):
    """The corpus contains instruction-format text or domain knowledge it must not contain."""


def _compile_rules(extra_terms: Iterable[str], allowed: Iterable[str] = ()) -> dict[str, re.Pattern]:
    rules = {name: re.compile(p) for name, p in _FORMAT_PATTERNS.items()}
    rules["task request"] = re.compile(_SENTENCE_START + r"(?:" + "|".join(TASK_VERBS) + r")\b(?!\s*:)")
    terms = sorted({t.lower() for t in (*DOMAIN_DENYLIST, *extra_terms) if t.strip()}
                   - {t.lower() for t in allowed})
    rules["domain term"] = re.compile(
        r"(?i)(?<![\w])(?:" + "|".join(re.escape(t) for t in terms) + r")(?![\w])"
    )
    return rules


def find_violations(texts: Iterable[str], extra_terms: Iterable[str] = (),
                    allowed: Iterable[str] = EVERYDAY_SENSES) -> list[Violation]:
    """Every denylisted pattern found in `texts` (empty list = clean).

    `extra_terms` adds whole-word terms, e.g. `helpers.domain.DOMAIN_TERMS`, so the domain
    engineer's vocabulary is checked too, whatever it grows to. One place may hold a domain
    term: a line that is only a list of words with at most one such term in it (lexicon.py).
    A word in a random list states no fact, and the model must have read the word to say it.
    `allowed` lifts denylisted words whose everyday sense the corpus uses (EVERYDAY_SENSES).
    """
    rules = _compile_rules(extra_terms, allowed)
    found = []
    for i, text in enumerate(texts):
        for name, rule in rules.items():
            target = _without_word_lists(text, rule) if name == "domain term" else text
            m = rule.search(target)
            if m:
                lo, hi = max(0, m.start() - 25), min(len(text), m.end() + 25)
                found.append(Violation(i, name, text[lo:hi].replace("\n", "\\n")))
    return found


def assert_clean_corpus(texts: Iterable[str], extra_terms: Iterable[str] = ()) -> None:
    """Raise `CorpusContaminationError` naming the first violations, if there are any."""
    found = find_violations(texts, extra_terms)
    if found:
        shown = "; ".join(f"doc {v.doc_index}: {v.rule} in '{v.excerpt}'" for v in found[:5])
        raise CorpusContaminationError(
            f"{len(found)} forbidden pattern(s) in the pretraining corpus: {shown}. Change the "
            "templates in helpers/build/micro/facts.py or stories.py so they state facts in prose "
            "instead of asking for a task or mentioning the hosting domain."
        )
