"""Grading results and how they are shown: JSON for tools, text for people, CSV for a class.

Every lost point carries a reason (assertion message, exception and where it happened, "timed
out after Ns", a missing name). Student output is kept only as a short head for the instructor;
it never affects the score.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from helpers.io import atomic_write_text, write_json


@dataclass
class TestResult:
    """The outcome of one test."""

    name: str  # the test's id
    question: str  # the question it counts towards
    kind: str  # "visible" or "hidden"
    points: float  # what it is worth
    earned: float  # points or 0 (all or nothing per test)
    reason: str = ""  # why the points were lost; empty when passed

    @property
    def passed(self) -> bool:
        return self.earned == self.points


@dataclass
class GradeResult:
    """The grade of one submission, with everything needed to explain it."""

    submission: str  # the submission's name (file stem or folder name)
    exercise: str  # the exercise id from the notebook metadata
    status: str  # "graded", "timed out", "crashed", "invalid notebook" or "grader error"
    tests: list[TestResult]  # one entry per test, in exercise order
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> title/difficulty
    notes: list[str] = field(default_factory=list)  # cell errors, skipped names, truncated output
    stdout_head: str = ""  # start of the submission's stdout (for the instructor; not graded)
    stderr_head: str = ""  # start of its stderr (warnings, progress bars; never cost points)
    seconds: float = 0.0  # wall time spent grading it

    @property
    def score(self) -> float:
        return sum(t.earned for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def needs_review(self) -> bool:
        """True when the submission uses code that could interfere with grading (see notes)."""
        return any(n.startswith("review:") for n in self.notes)

    def by_question(self) -> dict[str, tuple[float, float]]:
        """Question id -> (earned, possible), in the order questions first appear."""
        out: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            earned, possible = out.get(t.question, (0.0, 0.0))
            out[t.question] = (earned + t.earned, possible + t.points)
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            needs_review=self.needs_review,
            score=self.score,
            max_score=self.max_score,
            by_question={
                q: {"earned": e, "possible": p} for q, (e, p) in self.by_question().items()
            },
        )
        return data


def _num(x: float) -> str:
    return f"{x:g}"


def to_text(result: GradeResult) -> str:
    """A readable report: score, points per question, each lost point with its reason."""
    lines = [
        f"Exercise {result.exercise} - submission {result.submission}",
        f"Score: {_num(result.score)} / {_num(result.max_score)}   ({result.status})",
    ]
    for qid, (earned, possible) in result.by_question().items():
        info = result.questions.get(qid, {})
        title = f" {info['title']}" if info.get("title") else ""
        level = f" [{info['difficulty']}]" if info.get("difficulty") else ""
        lines.append(f"\n  {qid}{title}{level}: {_num(earned)} / {_num(possible)}")
        for t in (t for t in result.tests if t.question == qid):
            mark = "ok  " if t.passed else "FAIL"
            lines.append(f"    {mark} {t.kind:7} {t.name}  {_num(t.earned)}/{_num(t.points)}")
            if t.reason:
                lines.append(f"         -> {t.reason}")
    if result.notes:
        lines.append("\nNotes:")
        lines.extend(f"  - {n}" for n in result.notes)
    return "\n".join(lines) + "\n"


def write_reports(result: GradeResult, out_dir: str | Path, stem: str | None = None) -> Path:
    """Write `<stem>.json` and `<stem>.txt` into out_dir; return the JSON path."""
    stem = stem or result.submission.replace("/", "__")
    out = Path(out_dir)
    atomic_write_text(out / f"{stem}.txt", to_text(result))
    return write_json(result.to_dict(), out / f"{stem}.json")


def write_summary(results: list[GradeResult], out_dir: str | Path) -> tuple[Path, Path]:
    """summary.csv (one row per submission, one column per question) and summary.json."""
    questions = list(dict.fromkeys(q for r in results for q in r.by_question()))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", "score", "max_score", "status", "review", *questions])
    for r in results:
        per_q = r.by_question()
        writer.writerow(
            [
                r.submission,
                _num(r.score),
                _num(r.max_score),
                r.status,
                "yes" if r.needs_review else "",
                *(_num(per_q.get(q, (0.0, 0.0))[0]) for q in questions),
            ]
        )
    out = Path(out_dir)
    csv_path = atomic_write_text(out / "summary.csv", buf.getvalue())
    summary = [
        {
            "submission": r.submission,
            "score": r.score,
            "max_score": r.max_score,
            "status": r.status,
            "review": r.needs_review,
            "by_question": {q: e for q, (e, _) in r.by_question().items()},
        }
        for r in results
    ]
    return csv_path, write_json(summary, out / "summary.json")
