"""The data card (data/domain/README.md), rendered from the records and config that made them.

Numbers here are counted from the records, never typed in, so the card cannot drift from the
files it describes (tests/test_domain.py parses the counts table back and compares).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

from helpers.build.domain.qa import DOMAIN_SYSTEM_PROMPT, SPLITS, DomainConfig
from helpers.build.domain.questions import (
    CROSSED_FRAMES,
    MORE_TRAIN_QUESTIONS,
    MORE_TRAIN_REQUESTS,
    QUESTIONS,
)
from helpers.domain.kb import COMPANY, DOMAIN_TERMS, build_facts
from helpers.domain.scope import ESCALATION_MESSAGE, REFUSAL_MESSAGE, SCOPE_REQUESTS
from helpers.tables import markdown_table

CARD_KINDS = ("fact", "escalate", "refuse")  # column order of the counts table


def _count_table(splits: dict[str, list[dict]]) -> list[str]:
    rows = []
    for name in SPLITS:
        c = Counter(r["kind"] for r in splits[name])
        rows.append([name, *(str(c[k]) for k in CARD_KINDS), str(len(splits[name]))])
    return markdown_table(["split", *CARD_KINDS, "total"], rows, align="lrrrr").splitlines()


def _source_counts(config: DomainConfig) -> list[str]:
    facts = build_facts()
    groups = sum(len(QUESTIONS[f.question_key]) for f in facts)
    refuse = Counter(r.topic for r in SCOPE_REQUESTS if r.kind == "refuse")
    n_escalate = sum(r.kind == "escalate" for r in SCOPE_REQUESTS)
    lines = [
        (f"- {len(facts)} facts across {len({f.topic for f in facts})} topics, asked by "
         f"{groups} question groups ({len(QUESTIONS)} template sets; plan templates are shared)."),
        (f"- {refuse['out_of_scope']} out-of-scope and {refuse['unsafe']} unsafe requests "
         f"(refuse), {n_escalate} needs-a-human requests (escalate)."),
    ]
    if config.more_wordings:
        n_extra = (sum(len(g) for gs in MORE_TRAIN_QUESTIONS.values() for g in gs)
                   + sum(len(v) for v in MORE_TRAIN_REQUESTS.values()))
        lines.append(f"- {n_extra} training-only paraphrase templates (`MORE_TRAIN_QUESTIONS`, "
                     "`MORE_TRAIN_REQUESTS`): more wordings to train on, never held out.")
    if config.crossed_frames:
        lines.append(f"- Plan questions crossing {len(CROSSED_FRAMES)} generic frames with every "
                     "attribute word (`CROSSED_FRAMES`, `ATTRIBUTE_WORDS`), training only; those "
                     "sharing four words in a row with a held-out question of their fact are "
                     "left out.")
    if config.drop_frame_twins:
        lines.append("- Training plan questions whose frame is a held-out plan question's frame "
                     "with another attribute are left out (`helpers/build/domain/frames.py`), so "
                     "no frame tells which attribute is asked.")
    return lines


def _intro(config: DomainConfig) -> list[str]:
    cfg = ", ".join(f"{k}={v}" for k, v in asdict(config).items())
    return [
        f"# {COMPANY} support: domain SFT set (fictional)", "",
        (f"Question/answer pairs about **{COMPANY}**, a fictional cloud-hosting provider, for the "
         "domain-SFT lesson: plans and prices, refunds, SLA credits, support hours, escalation "
         "rules, data retention, billing, account deletion and migration. It also teaches and "
         "tests refusing out-of-scope or unsafe requests and escalating problems to a human."), "",
        "## How it was made", "",
        (f"Generated, not written by hand: `python -m helpers.build.domain build --seed {config.seed}` "
         f"(config: {cfg}). Facts: `helpers/domain/kb.py`; questions: "
         "`helpers/build/domain/questions.py`; refusals and escalations: `helpers/domain/scope.py`."), "",
    ]


def _split_and_format(config: DomainConfig) -> list[str]:
    return [
        "## Split: held-out phrasings", "",
        (f"Each question group has several paraphrase templates. Per group, "
         f"{config.test_templates} template(s) go to test and {config.val_templates} to "
         "validation, chosen by the seed; the rest go to train, each plus greeting/thanks-"
         f"decorated copies ({_copies(config)}). Every fact is trained on, "
         "but test questions are phrasings never seen in training (checked on normalised text "
         "when building). The training-only templates join train after the held-out ones are "
         "drawn, so adding wordings never changes a validation or test question."), "",
        "## Record format", "",
        ('`{"messages": [system, user, assistant], "id", "kind", "topic", "facts", "split"}`. '
         "`kind` is `fact`, `escalate` or `refuse`; `facts` lists the strings a correct answer "
         "must state (`helpers.domain.score.fact_accuracy`)."), "",
        f'- system prompt: "{DOMAIN_SYSTEM_PROMPT}"',
        f'- refusal: "{REFUSAL_MESSAGE}"',
        f'- escalation: "{ESCALATION_MESSAGE}"', "",
    ]


def _use_limits_license() -> list[str]:
    return [
        "## Intended use", "",
        ("Teaching and testing domain SFT of small models: fact accuracy on unseen phrasings, "
         "refusal and escalation rates, false refusals on in-scope questions "
         "(`helpers.domain.score.score_domain`). Not a benchmark of real-world support quality."),
        "",
        "## Limits", "",
        "- Synthetic and small: short template questions, one fixed answer sentence per fact.",
        "- Answers are checked by required strings, so a rambling answer that contains them passes.",
        ("- Held-out phrasings share vocabulary with trained ones; this measures paraphrase "
         "robustness, not open-ended understanding."),
        (f"- The micro base model's corpus must not mention {', '.join(DOMAIN_TERMS[:5])} and the "
         "other domain terms (`helpers.domain.kb.find_domain_terms`)."), "",
        "## License", "",
        (f"Apache-2.0, like the kit. Entirely fictional: {COMPANY}, its plans, its competitors "
         "(Cirrobyte, Stratohost) and all numbers are made up; no real company is described."), "",
    ]


def render_card(splits: dict[str, list[dict]], config: DomainConfig, shas: dict[str, str]) -> str:
    """The README.md data card, from the records, the config and the written files' sha256."""
    lines = [
        *_intro(config), *_source_counts(config), "",
        "## Counts", "", *_count_table(splits), "",
        *_split_and_format(config), *_use_limits_license(),
        "## Files (sha256)", "", *(f"- `{name}`: `{sha}`" for name, sha in shas.items()), "",
    ]
    return "\n".join(lines)


def _copies(config: DomainConfig) -> str:
    """How many decorated copies each training question gets, requests apart when they differ."""
    scope = config.scope_variants
    if scope is None or scope == config.train_variants:
        return f"{config.train_variants} per question"
    return (f"{config.train_variants} per fact question, {scope} per refusal or escalation "
            "request, so that the requests keep their share of the mix")
