"""helpers.evaluate: measure variants (base, IT, SFT, hybrid, …) and compare them.

- `metrics`: instruction-suite accuracy per family/split, domain facts / refusals / escalations /
  false refusals, the share of answers cut off at max_new_tokens (and of those that stopped by
  themselves), forgetting between two results.
- `intervals`: the Wilson 95% interval of an accuracy (how far to trust 7/20).
- `baselines`: majority-answer and chance accuracy per family (what "better" must beat).
- `per_family`: `family_table`, one row per family (n, accuracy, interval, both baselines,
  letter-level flag) and the pooled "seen, excluding letter-level" accuracy.
- `perplexity`: held-out perplexity on plain texts (token-weighted, batched, padding masked)
  and `answer_loss`, the reference answers' NLL: it moves while exact match is still 0;
  `answer_loss_parts` splits it into content tokens and the end-of-turn token.
- `showcase`: one fixed table of ~12 test prompts with each variant's answer, marked ✓/✗ (the
  table notebooks 03–06 print: read the answers before the numbers).
- `suite`: a fixed EvalSuite, evaluated on one model or on several adapters of ONE loaded base.
- `table`: tidy rows → mean ± std over seeds (`aggregate`), printed or shown as HTML.
- `plots`: grouped bars per variant per metric, loss curves per variant, small PNGs.
- `judge`: plug an LLM judge in for free-form answers (`judge(prompt, reference, generated)`).

Importing this package is cheap: torch and matplotlib are imported inside functions.
"""

from helpers.evaluate.baselines import (
    CHANCE_RULES,
    BaselineInputError,
    MajorityBaseline,
    chance_baseline,
    chance_of,
    majority_answers,
    majority_baseline,
    record_input,
)
from helpers.evaluate.intervals import IntervalInputError, Proportion, proportion, wilson_interval
from helpers.evaluate.judge import Judge, JudgeError, judge_mean, judge_scores, token_f1_judge
from helpers.evaluate.metrics import (
    LOWER_IS_BETTER,
    MetricInputError,
    domain_metrics,
    eos_stop_share,
    forgetting,
    instruction_metrics,
    length_stop_share,
    lower_is_better,
)
from helpers.evaluate.per_family import (
    LETTER_LEVEL_FAMILIES,
    FamilyRow,
    FamilyTable,
    SplitSummary,
    family_table,
    split_summary,
)
from helpers.evaluate.perplexity import (
    AnswerLossParts,
    PerplexityInputError,
    answer_loss,
    answer_loss_parts,
    perplexity,
)
from helpers.evaluate.plots import bar_chart, loss_curves, save_png
from helpers.evaluate.showcase import SHOWCASE, ShowcaseError, ShowcaseItem, showcase_table
from helpers.evaluate.suite import (
    EvalResult,
    EvalSuite,
    evaluate_model,
    evaluate_variants,
    prompt_of,
    sample_records,
)
from helpers.evaluate.table import ResultTable, Stat, aggregate

__all__ = [
    "LOWER_IS_BETTER", "EvalResult", "EvalSuite", "Judge", "JudgeError", "MetricInputError",
    "PerplexityInputError", "ResultTable", "Stat", "aggregate", "answer_loss", "bar_chart",
    "domain_metrics",
    "evaluate_model", "evaluate_variants", "forgetting", "instruction_metrics", "judge_mean",
    "judge_scores", "length_stop_share", "loss_curves", "lower_is_better", "perplexity",
    "prompt_of",
    "sample_records", "save_png", "token_f1_judge",
    # metrics a learner can trust (issue 14): intervals, baselines, per-family table, loss parts
    "AnswerLossParts", "BaselineInputError", "CHANCE_RULES", "FamilyRow", "FamilyTable",
    "IntervalInputError", "LETTER_LEVEL_FAMILIES", "MajorityBaseline", "Proportion",
    "answer_loss_parts", "chance_baseline", "chance_of", "eos_stop_share", "family_table",
    "majority_answers", "majority_baseline", "proportion", "record_input", "wilson_interval",
    "SplitSummary", "split_summary",
    # the fixed prompt table every training notebook prints
    "SHOWCASE", "ShowcaseError", "ShowcaseItem", "showcase_table",
]
