"""Write data/instructions/README.md, the data card, from the splits just built.

Every number in the card is computed here from the records that were written, so the card
cannot drift from the files (tests/test_tasks.py re-counts the files and compares).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from helpers import world
from helpers.build.tasks.lexicon import WORDS
from helpers.tables import markdown_table
from helpers.tasks.families import FAMILIES

_FILES = {
    "train": "seen families, seen phrasings: what the model is trained on",
    "test_seen": "seen families, seen phrasings, new inputs: did it learn the tasks?",
    "test_phrasing": "seen families, the held-out phrasing, new inputs: does it follow new wordings?",
    "test_unseen_family": "held-out families, all phrasings: does it transfer zero-shot?",
}

_SKILLS = ("copy = the answer is the input, lightly reformatted; select = the answer is a word "
           "of the input; transform = letter-level rewriting; knowledge = needs facts the base "
           "model saw in pretraining (alphabet, day order, categories); compute = arithmetic or "
           "counting")


def _cell(text: str) -> str:
    """Text for one line of a Markdown table cell: newlines shown as ⏎ (markdown_table escapes |)."""
    return text.replace("\n", " ⏎ ")


def _files_table(splits: dict[str, list[dict[str, Any]]]) -> list[str]:
    rows = [[f"`{name}.jsonl`", str(len(records)), str(len({r["family"] for r in records})),
             _FILES[name]] for name, records in splits.items()]
    return markdown_table(["file", "records", "families", "what it is for"], rows,
                          align="lrrl").splitlines()


def _families_table(splits: dict[str, list[dict[str, Any]]], held_out: tuple[str, ...]) -> list[str]:
    train = Counter(r["family"] for r in splits["train"])
    rows = [[f"`{f.name}`", _cell(f.description), f.skill, f.checker, str(len(f.phrasings)),
             "held out (test_unseen_family)" if f.name in held_out else "train", str(train[f.name])]
            for f in FAMILIES]
    return markdown_table(["family", "description", "skill", "checker", "phrasings", "split",
                           "train examples"], rows, align="llllrlr").splitlines()


def _examples_table(splits: dict[str, list[dict[str, Any]]]) -> list[str]:
    first: dict[str, dict[str, Any]] = {}
    for r in splits["test_seen"] + splits["test_unseen_family"]:
        first.setdefault(r["family"], r)
    rows = [[f"`{f.name}`", _cell(first[f.name]["messages"][0]["content"]),
             _cell(first[f.name]["answer"])] for f in FAMILIES]
    return markdown_table(["family", "user turn (⏎ = newline)", "answer"], rows).splitlines()


_RECORD_FORMAT = [
    "## Record format",
    "",
    "```json",
    ('{"messages": [{"role": "user", "content": "<instruction>\\n\\n<input>"}, '
     '{"role": "assistant", "content": "<answer>"}], "id": "<family>-<split>-<n>", '
     '"family": "...", "phrasing": 0, "split": "...", "answer": "..."}'),
    "```",
    "",
    ("No system prompt. When a task has a separate input it follows the instruction after one "
     "blank line; instructions never contain a blank line, so "
     '`content.partition("\\n\\n")` recovers (instruction, input). `phrasing` is the index '
     "into the family's phrasings (`helpers.tasks.families.get_family(name).phrasings`)."),
    "",
    "## How it was made",
    "",
]


def _intro(splits: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [
        "# tunelab instruction tasks",
        "",
        ("Synthetic instruction → response pairs over the vocabulary of the bundled micro world "
         f"(`helpers/world.py`): {len(FAMILIES)} task families, every answer checkable by a "
         "program (`helpers.tasks.score`). The micro base model was pretrained on text using "
         "exactly these words but has never seen an instruction, so this is what teaches it to "
         "follow one."),
        "",
        "## Files",
        "",
        *_files_table(splits),
        "",
        ("Each `*.jsonl` file has an Alpaca copy in `alpaca/<name>.json` (a JSON array of "
         "`{instruction, input, output, id, family, phrasing, split, answer}`), made with "
         "`helpers.data.to_alpaca`; `helpers.data.load` reads both forms to the same records."),
        "",
    ]


def _families_section(splits: dict[str, list[dict[str, Any]]], held: tuple[str, ...]) -> list[str]:
    return [
        "## Families",
        "",
        (f"{len(FAMILIES) - len(held)} families are trained on; {len(held)} are held out "
         f"entirely ({', '.join(held)}). Of each seen family's phrasings the last is held out of "
         f"training and used only in `test_phrasing.jsonl`. Skills: {_SKILLS}."),
        "",
        *_families_table(splits, held),
        "",
        "## Examples",
        "",
        *_examples_table(splits),
        "",
    ]


def _short_phrasing(splits: dict[str, list[dict[str, Any]]], config: Any) -> str:
    """A sentence naming the families with fewer test_phrasing examples than asked, if any."""
    counts = Counter(r["family"] for r in splits["test_phrasing"])
    short = sorted(f for f, n in counts.items() if n < config.test_phrasing_per_family)
    if not short:
        return ""
    return (f" {', '.join(short)} have only {min(counts[f] for f in short)} test_phrasing "
            "examples: every input of theirs is already used, and the later test_phrasing "
            "inputs are drawn after train so that growing this split never changes train.jsonl.")


def _how_made(splits: dict[str, list[dict[str, Any]]], config: Any) -> list[str]:
    return [
        (f"`python -m helpers.build.tasks build --seed {config.seed}` (the default seed; pure Python, "
         "no model involved). Each family draws inputs from its own RNG seeded with the seed and "
         "the family name, without replacement: test inputs first, then train from the rest, so "
         "no input (by its field values, whatever the phrasing) occurs in two files. Per family: "
         f"up to {config.train_per_family} train, {config.test_seen_per_family} test_seen, "
         f"{config.test_phrasing_per_family} test_phrasing, {config.test_unseen_per_family} "
         "test_unseen_family examples; families with a small input space (e.g. the letter "
         f"families draw from {len(WORDS)} words) get fewer train examples, as the table shows."
         f"{_short_phrasing(splits, config)} Same seed => byte-identical files (a test checks "
         "the committed files against a fresh build)."),
        "",
        "## License",
        "",
        "Apache-2.0, like tunelab. Generated by the kit's own script; no third-party text.",
        "",
    ]


def _limits() -> list[str]:
    return [
        "## Intended use and limits",
        "",
        ("- For teaching and smoke-testing instruction tuning of tiny models offline: measure "
         "seen-task accuracy, robustness to an unseen phrasing, and zero-shot transfer to unseen "
         "families, with `helpers.tasks.score.score_records`."),
        ("- Toy tasks in a closed vocabulary of a few hundred words. Accuracy here says nothing "
         "about a model's ability on real instructions; use a real instruction dataset for that."),
        ("- Answers are short and exact; scoring judges the whole generation, so a model that "
         "answers and keeps talking is scored wrong (by design: stopping is part of the skill)."),
        (f"- Several families have small answer spaces ({len(world.DAYS)} days, "
         f"{len(world.MONTHS)} months, yes/no, even/odd): compare accuracy against the chance "
         "rate, not against zero."),
        ("- Letter-level families (reverse_word, count_letters, uppercase) are hard for a BPE "
         "model by construction; expect low scores there."),
        "",
    ]


def render_card(splits: dict[str, list[dict[str, Any]]], config: Any) -> str:
    """The card's Markdown text for `splits` built with `config` (a BuildConfig)."""
    held = tuple(config.held_out_families)
    parts = (_intro(splits) + _families_section(splits, held) + _RECORD_FORMAT
             + _how_made(splits, config) + _limits())
    return "\n".join(parts)


def write_card(out_dir: Path, splits: dict[str, list[dict[str, Any]]], config: Any) -> Path:
    """Write README.md into `out_dir` and return its path."""
    from helpers.io import atomic_write_text

    return atomic_write_text(Path(out_dir) / "README.md", render_card(splits, config))
