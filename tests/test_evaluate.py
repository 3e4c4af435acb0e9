"""helpers.evaluate without a model: metrics on known inputs, table formatting, the judge hook,
plots as PNG files, evaluation subsets. Fast (a few seconds)."""

from __future__ import annotations

import csv
import math

import pytest

from helpers.domain import ESCALATION_MESSAGE, REFUSAL_MESSAGE
from helpers.evaluate import (
    JudgeError,
    MetricInputError,
    ResultTable,
    Stat,
    aggregate,
    bar_chart,
    domain_metrics,
    eos_stop_share,
    forgetting,
    instruction_metrics,
    judge_mean,
    judge_scores,
    length_stop_share,
    loss_curves,
    lower_is_better,
    sample_records,
    save_png,
    token_f1_judge,
)
from helpers.generate import Generation


def _task(family: str, answer: str, i: int = 0) -> dict:
    return {"id": f"{family}-{i}", "family": family, "answer": answer,
            "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": answer}]}


def _dom(kind: str, facts=(), i: int = 0) -> dict:
    reply = {"refuse": REFUSAL_MESSAGE, "escalate": ESCALATION_MESSAGE}.get(kind, "x")
    return {"id": f"{kind}-{i}", "kind": kind, "facts": list(facts), "topic": "plans",
            "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": reply}]}


def _gen(text: str, stop: str = "eos") -> Generation:
    return Generation(text=text, stop_reason=stop, new_tokens=3, seconds=0.1)


# --- instruction metrics -------------------------------------------------------------------

def test_instruction_metrics_uses_family_checkers_and_weights():
    records = [_task("reverse_word", "krad"), _task("reverse_word", "pmal", 1),
               _task("add", "33"), _task("yes_no_fact", "yes")]
    gens = ["krad", "lamp", "thirty-three", "Yes."]  # right; wrong; not a number it reads; yes
    m = instruction_metrics(records, gens)
    assert m["by_family"] == {"add": 0.0, "reverse_word": 0.5, "yes_no_fact": 1.0}
    assert m["accuracy"] == pytest.approx(2 / 4)
    assert m["family_mean"] == pytest.approx(1.5 / 3)  # mean of per-family accuracies
    assert m["n"] == 4 and m["length_stop_share"] is None  # plain strings: no stop reasons


def test_number_word_is_accepted_by_number_checker():
    m = instruction_metrics([_task("add", "12")], ["twelve"])
    assert m["accuracy"] == 1.0


def test_answer_that_keeps_talking_is_wrong():
    m = instruction_metrics([_task("reverse_word", "krad")], ["krad\nThe word dark reversed"])
    assert m["accuracy"] == 0.0


def test_instruction_metrics_rejects_misaligned_or_foreign_records():
    with pytest.raises(MetricInputError, match="2 records but 1 generations"):
        instruction_metrics([_task("add", "1"), _task("add", "2")], ["1"])
    with pytest.raises(MetricInputError, match="no 'family'") as err:
        instruction_metrics([{"id": "x", "messages": []}], ["1"])
    assert str(err.value) == ("instruction_metrics: record 0 (id 'x') has no 'family'/'answer' "
                              "field; pass records from data/instructions/*.jsonl")
    with pytest.raises(MetricInputError, match="record 1 \\(id 'y'\\) has no 'family'/'answer'"):
        instruction_metrics([_task("add", "1"), {"id": "y", "family": "add"}], ["1", "2"])
    with pytest.raises(MetricInputError, match="no records"):
        instruction_metrics([], [])


# --- length stops --------------------------------------------------------------------------

def test_length_stop_share_counts_length_stops():
    gens = [_gen("a", "length"), _gen("b"), _gen("c", "length"), _gen("d")]
    assert length_stop_share(gens) == 0.5
    assert instruction_metrics([_task("add", "1")] * 4, gens)["length_stop_share"] == 0.5
    assert length_stop_share(["plain"]) is None


def test_eos_stop_share_is_the_complement_of_length_stops():
    gens = [_gen("a", "length"), _gen("b"), _gen("c"), _gen("d")]
    assert eos_stop_share(gens) == 0.75 == 1 - length_stop_share(gens)
    assert instruction_metrics([_task("add", "1")] * 4, gens)["eos_stop_share"] == 0.75
    assert domain_metrics([_dom("refuse")] * 4, gens)["eos_stop_share"] == 0.75
    assert eos_stop_share(["plain"]) is None and instruction_metrics(
        [_task("add", "1")], ["1"])["eos_stop_share"] is None


# --- domain metrics ------------------------------------------------------------------------

def test_domain_metrics_rates_on_known_answers():
    records = [_dom("fact", ["Tempest", "160 GB"]), _dom("fact", ["Tempest", "160 GB"], 1),
               _dom("refuse"), _dom("refuse", i=1), _dom("escalate")]
    gens = [_gen("The Tempest plan has 160 GB of storage."),  # both facts
            _gen(REFUSAL_MESSAGE),                           # in-scope refused: false refusal
            _gen(REFUSAL_MESSAGE), _gen("Tell me more.", "length"),
            _gen(ESCALATION_MESSAGE)]
    m = domain_metrics(records, gens)
    assert m["fact_accuracy"] == 0.5
    assert m["refusal_rate"] == 0.5
    assert m["escalation_rate"] == 1.0
    assert m["false_refusal_rate"] == pytest.approx(1 / 3)  # in scope = 2 facts + 1 escalate
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["length_stop_share"] == pytest.approx(1 / 5)


def test_domain_fact_needs_every_fact_as_whole_words():
    records = [_dom("fact", ["Tempest", "160 GB"])]
    assert domain_metrics(records, ["Tempest has 1600 GB."])["fact_accuracy"] == 0.0
    assert domain_metrics(records, ["160 GB"])["fact_accuracy"] == 0.0  # missing Tempest


def test_domain_metrics_rejects_misaligned():
    with pytest.raises(MetricInputError, match="1 records but 2"):
        domain_metrics([_dom("refuse")], ["a", "b"])


# --- forgetting ----------------------------------------------------------------------------

def test_forgetting_signs_and_skips():
    before = {"seen_accuracy": 0.8, "perplexity": 10.0, "domain_fact_accuracy": None, "x": 1.0}
    after = {"seen_accuracy": 0.5, "perplexity": 12.5, "domain_fact_accuracy": 0.4}
    out = forgetting(before, after)
    assert out == {"seen_accuracy": pytest.approx(0.3), "perplexity": pytest.approx(2.5)}
    assert forgetting(after, before, ["seen_accuracy"]) == {"seen_accuracy": pytest.approx(-0.3)}
    losses = forgetting({"seen_answer_loss": 2.0}, {"seen_answer_loss": 3.5})
    assert losses == {"seen_answer_loss": pytest.approx(1.5)}  # a loss rise is forgetting
    assert lower_is_better("domain_false_refusal_rate") and not lower_is_better("refusal_rate")


# --- table ---------------------------------------------------------------------------------

ROWS = [{"variant": "it", "seed": 0, "acc": 0.5, "ppl": 10.0},
        {"variant": "it", "seed": 1, "acc": 0.7, "ppl": None},
        {"variant": "it", "seed": 2, "acc": 0.6, "ppl": 12.0},
        {"variant": "base", "seed": None, "acc": 0.1, "ppl": 9.0}]


def test_stat_mean_sample_std_min_max():
    s = Stat.of([0.5, 0.7, 0.6])
    assert (s.mean, s.min, s.max, s.n) == (pytest.approx(0.6), 0.5, 0.7, 3)
    assert s.std == pytest.approx(0.1)  # sample std (ddof=1)
    assert str(s) == "0.600 ± 0.100" and str(Stat.of([2.0])) == "2.000"


def test_aggregate_groups_in_order_and_skips_missing_values():
    table = aggregate(ROWS, by="variant")
    assert [r["variant"] for r in table] == ["it", "base"]
    it = table[0]
    assert it["seeds"] == 3 and "seed" not in it
    assert it["acc"].mean == pytest.approx(0.6)
    assert it["ppl"].n == 2 and it["ppl"].mean == pytest.approx(11.0)  # None left out, not 0


def test_table_str_is_aligned_and_html_escapes():
    table = aggregate(ROWS, by="variant")
    lines = str(table).splitlines()
    assert lines[0].split() == ["variant", "seeds", "acc", "ppl"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert "0.600 ± 0.100" in lines[2] and lines[3].startswith("base ")
    col = lines[0].index("acc")
    assert lines[2][col:].startswith("0.600") and lines[3][col:].startswith("0.100")
    html = ResultTable([{"name": "<b>"}])._repr_html_()
    assert "<th>name</th>" in html and "&lt;b&gt;" in html


def test_flat_and_csv_split_stats_into_columns(tmp_path):
    table = aggregate(ROWS + [{"variant": "x", "seed": 0, "acc": 0.2}], by="variant")
    flat = table.flat()
    assert flat[0]["acc_mean"] == pytest.approx(0.6) and flat[0]["acc_std"] == pytest.approx(0.1)
    assert flat[2]["ppl_mean"] is None  # a metric never measured for x: empty, same columns
    path = table.to_csv(tmp_path / "t.csv")
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3 and float(rows[1]["ppl_max"]) == 9.0 and rows[2]["ppl_mean"] == ""


# --- judge hook ----------------------------------------------------------------------------

def test_judge_hook_gets_prompt_reference_and_answer():
    calls = []

    def judge(prompt, reference, generated):
        calls.append((prompt, reference, generated))
        return 1.0 if generated.strip().lower() == reference.lower() else 0.25

    records = [_task("reverse_word", "krad"), _task("reverse_word", "pmal", 1)]
    assert judge_scores(records, ["KRAD ", _gen("lamp")], judge) == [1.0, 0.25]
    assert calls[0] == ([{"role": "user", "content": "q"}], "krad", "KRAD ")
    assert judge_mean(records, ["krad", "x"], judge) == pytest.approx(0.625)


@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, "1", True])
def test_judge_outside_unit_interval_is_rejected(bad):
    with pytest.raises(JudgeError, match="in \\[0, 1\\]"):
        judge_scores([_task("add", "1")], ["1"], lambda p, r, g: bad)


def test_token_f1_judge_known_values():
    assert token_f1_judge([], "the tempest plan", "the tempest plan") == 1.0
    assert token_f1_judge([], "the tempest plan", "monsoon") == 0.0
    assert token_f1_judge([], "a b c d", "a b") == pytest.approx(2 * 1.0 * 0.5 / 1.5)


# --- plots ---------------------------------------------------------------------------------

def test_plots_write_small_pngs(tmp_path):
    table = aggregate(ROWS, by="variant")
    fig = bar_chart(table, ["acc"], title="t")
    assert len(fig.axes[0].patches) == 2  # one bar per variant
    bars = save_png(fig, tmp_path / "bars.png")
    history = [{"step": s, "loss": 3.0 / s} for s in range(1, 20)]
    curves = loss_curves({"it": [history, history[:-3]], "sft": [history]})
    assert len(curves.axes[0].lines) == 3
    lines = save_png(curves, tmp_path / "curves.png")
    for path in (bars, lines):
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 150_000


def test_save_png_refuses_a_too_large_image(tmp_path):
    fig = bar_chart(aggregate(ROWS, by="variant"), ["acc", "ppl"])
    with pytest.raises(ValueError, match="bytes even at 45 dpi"):
        save_png(fig, tmp_path / "big.png", max_bytes=100)


# --- evaluation subsets --------------------------------------------------------------------

def test_sample_records_is_balanced_and_deterministic():
    records = [_task(f, "1", i) for f in ("add", "subtract", "count_items") for i in range(10)]
    a = sample_records(records, 9, seed=3)
    assert [r["id"] for r in a] == [r["id"] for r in sample_records(records, 9, seed=3)]
    assert {f: sum(r["family"] == f for r in a) for f in ("add", "subtract", "count_items")} == \
        {"add": 3, "subtract": 3, "count_items": 3}
    assert [r["id"] for r in sample_records(records, 9, seed=4)] != [r["id"] for r in a]
    assert len(sample_records(records, None)) == 30 and len(sample_records(records, 99)) == 30
