"""Every number quoted in notebook 05's (and 08's) prose comes from the committed results file.

The lesson text may only quote what `summary_text(load_results())` prints (3-decimal means and
spreads): a re-run that changes the results makes this fail until the prose is updated."""

from __future__ import annotations

import json
import re

from helpers.bench.experiment import load_results
from helpers.bench.experiment.outputs import summary_text
from helpers.paths import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "05_evaluation.ipynb"
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d{3}(?![\d])")


def _prose(notebook=NOTEBOOK) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def test_quoted_numbers_are_in_the_results():
    printed = set(DECIMAL.findall(summary_text(load_results())))
    quoted = DECIMAL.findall(_prose())
    assert len(quoted) >= 20, "notebook 05 should state what the numbers show"
    missing = sorted(set(quoted) - printed)
    assert not missing, f"numbers in notebook 05's prose not in the results: {missing}"


def test_prose_mentions_a_claim_that_did_not_hold():
    assert "did **not** hold" in _prose()


def test_notebook_08_quotes_only_committed_retrieval_numbers():
    nb08 = REPO_ROOT / "notebooks" / "08_retrieval.ipynb"
    printed = set(DECIMAL.findall(summary_text(load_results())))
    quoted = DECIMAL.findall(_prose(nb08))
    assert len(quoted) >= 6, "notebook 08's conclusions should quote the three-seed numbers"
    missing = sorted(set(quoted) - printed)
    assert not missing, f"numbers in notebook 08's prose not in the results: {missing}"


def _readme_experiment_text() -> str:
    """The README's experiment rows (IT, held-out, domain SFT, forgetting, retrieval) and the
    paragraph that sums them up: every 3-decimal number there is the experiment's."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    first = next(i for i, t in enumerate(lines) if t.startswith("| instruction tuning (IT) vs base"))
    last = next(i for i, t in enumerate(lines) if t.startswith("| knowledge by retrieval"))
    start = next(i for i, t in enumerate(lines) if t.startswith("What the measurements say"))
    end = next(i for i, t in enumerate(lines) if i > start and t.startswith("## "))
    return "\n".join(lines[first:last + 1] + lines[start:end])


def test_readme_quotes_only_committed_experiment_numbers():
    printed = set(DECIMAL.findall(summary_text(load_results())))
    quoted = DECIMAL.findall(_readme_experiment_text())
    assert len(quoted) >= 20, "the README's results should quote the three-seed numbers"
    missing = sorted(set(quoted) - printed)
    assert not missing, f"numbers in the README's experiment rows not in the results: {missing}"
