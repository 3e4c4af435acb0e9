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


def _assert_quotes_only_results(text: str, at_least: int, too_few: str, where: str) -> None:
    """`text` quotes at least `at_least` 3-decimal numbers, each printed by summary_text."""
    printed = set(DECIMAL.findall(summary_text(load_results())))
    quoted = DECIMAL.findall(text)
    assert len(quoted) >= at_least, too_few
    missing = sorted(set(quoted) - printed)
    assert not missing, f"numbers in {where} not in the results: {missing}"


def test_quoted_numbers_are_in_the_results():
    _assert_quotes_only_results(_prose(), 20, "notebook 05 should state what the numbers show",
                                "notebook 05's prose")


def test_prose_mentions_a_claim_that_did_not_hold():
    assert "did **not** hold" in _prose()


def test_notebook_08_quotes_only_committed_retrieval_numbers():
    nb08 = REPO_ROOT / "notebooks" / "08_retrieval.ipynb"
    _assert_quotes_only_results(_prose(nb08), 6,
                                "notebook 08's conclusions should quote the three-seed numbers",
                                "notebook 08's prose")


def _readme_experiment_text() -> str:
    """The README's experiment rows (IT, held-out, domain SFT, forgetting, retrieval) and the
    paragraph that sums them up: every 3-decimal number there is the experiment's."""
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()

    def line(prefix: str, after: int = -1) -> int:
        return next(i for i, t in enumerate(lines) if i > after and t.startswith(prefix))

    start = line("What the measurements say")
    rows = lines[line("| instruction tuning (IT) vs base"):line("| knowledge by retrieval") + 1]
    return "\n".join(rows + lines[start:line("## ", after=start)])


def test_readme_quotes_only_committed_experiment_numbers():
    _assert_quotes_only_results(_readme_experiment_text(), 20,
                                "the README's results should quote the three-seed numbers",
                                "the README's experiment rows")
