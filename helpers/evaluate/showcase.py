"""One fixed table of prompts that every training notebook prints: read the answers, not a loss.

Accuracies summarise; a learner is convinced by answers. Notebooks 03–06 print the same ~11
prompts — a seen task family, a held-out phrasing, a held-out family, a domain fact, an
out-of-scope request, an escalation, a letter-level task — with the expected answer and what
each variant (base, IT, SFT, hybrid, …) actually generates, marked right or wrong by the same
checkers the metrics use. The prompts are fixed test records (the first record of a family or
kind in a committed test file), so the table is comparable across notebooks and runs.

    table = showcase_table(peft_model, tok, {"base": None, "it": "it"})
    table   # renders as Markdown in Jupyter; print(table) for plain text
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from helpers.generate import GenerationSettings


@dataclass(frozen=True)
class ShowcaseItem:
    """Which test record to show, and what it probes."""

    probe: str  # what the row tests, as the table shows it
    source: str  # "instructions/<split>" or "domain/test"
    select: str  # the family (instructions) or the kind (domain) of the record to take
    index: int = 0  # which record of that family/kind, in file order


SHOWCASE: tuple[ShowcaseItem, ...] = (
    ShowcaseItem("seen family", "instructions/test_seen", "first_item"),
    ShowcaseItem("seen family", "instructions/test_seen", "extract_who"),
    ShowcaseItem("seen family", "instructions/test_seen", "add"),
    ShowcaseItem("held-out phrasing", "instructions/test_phrasing", "next_day"),
    ShowcaseItem("held-out phrasing", "instructions/test_phrasing", "larger_number"),
    ShowcaseItem("held-out family", "instructions/test_unseen_family", "last_item"),
    ShowcaseItem("held-out family", "instructions/test_unseen_family", "previous_day"),
    ShowcaseItem("domain fact", "domain/test", "fact", 0),
    ShowcaseItem("domain fact", "domain/test", "fact", 1),
    ShowcaseItem("out of scope", "domain/test", "refuse"),
    ShowcaseItem("escalation", "domain/test", "escalate"),
    ShowcaseItem("letter-level", "instructions/test_seen", "reverse_word"),
)


class ShowcaseError(LookupError):
    """A showcase item names a family or kind that its test file does not contain."""


def _records(source: str) -> list[dict]:
    from helpers.data.bundled import bundled_split

    dataset, split = source.split("/", 1)  # "instructions/test_seen", "domain/test"
    return bundled_split(dataset, split)


def showcase_records(items: tuple[ShowcaseItem, ...] = SHOWCASE) -> list[tuple[ShowcaseItem, dict]]:
    """Each item with its test record, read from the committed files."""
    cache: dict[str, list[dict]] = {}
    picked = []
    for item in items:
        records = cache.setdefault(item.source, _records(item.source))
        key = "kind" if item.source == "domain/test" else "family"
        matches = [r for r in records if r.get(key) == item.select]
        if len(matches) <= item.index:
            raise ShowcaseError(f"{item.source} has {len(matches)} record(s) with {key}="
                                f"{item.select!r}; the showcase needs #{item.index}. Rebuild the "
                                "data (python -m helpers.build.tasks build / helpers.build.domain build).")
        picked.append((item, matches[item.index]))
    return picked


def expected_of(record: Mapping) -> str:
    """The reference answer shown in the table."""
    return record.get("answer") or record["messages"][-1]["content"]


def is_right(record: Mapping, generated: str) -> bool:
    """The metrics' own checker: the family's for tasks, fact/refusal/escalation for domain."""
    if "family" in record:
        from helpers.tasks.score import score

        return score(record["family"], record["answer"], generated)
    from helpers.domain import is_correct

    return is_correct(record, generated)


def user_text(record: Mapping) -> str:
    """The last user turn, on one line (⏎ for newlines) for the table."""
    user = [m["content"] for m in record["messages"] if m["role"] == "user"][-1]
    return user.replace("\n", " ⏎ ")


def showcase_table(peft_model, tokenizer, variants: Mapping[str, str | list[str] | None],
                   settings: GenerationSettings | None = None,
                   items: tuple[ShowcaseItem, ...] = SHOWCASE):
    """prompt | expected | one column per variant ("✓ answer" or "✗ answer"), greedy answers."""
    from helpers.evaluate.suite import prompt_of
    from helpers.generate import generate_batch
    from helpers.tables import Table

    picked = showcase_records(items)
    settings = settings or GenerationSettings(max_new_tokens=40)
    columns: dict[str, list[str]] = {}
    for label, names in variants.items():
        with _using(peft_model, names) as model:
            gens = generate_batch(model, tokenizer, [prompt_of(r) for _, r in picked], settings)
        columns[label] = [_mark(r, g.text) for (_, r), g in zip(picked, gens)]
    rows = [[item.probe, user_text(r), expected_of(r), *(columns[v][i] for v in variants)]
            for i, (item, r) in enumerate(picked)]
    return Table(["probe", "prompt", "expected", *variants], rows)


@contextmanager
def _using(model, names):
    """The model with adapters `names` active; a plain (non-peft) model is the base as it is."""
    from helpers.models import active_adapters

    if names is None and not hasattr(model, "disable_adapter"):
        yield model
        return
    with active_adapters(model, names) as active:
        yield active


def _mark(record: Mapping, generated: str) -> str:
    text = generated.strip().replace("\n", " ⏎ ")
    return f"{'✓' if is_right(record, generated) else '✗'} {text}"
