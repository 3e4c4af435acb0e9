"""helpers.evaluate: measure variants (base, IT, SFT, hybrid, …) and compare them.

- `metrics`: instruction-suite accuracy per family/split, domain facts / refusals / escalations /
  false refusals, the share of answers cut off at max_new_tokens (and of those that stopped by
  themselves), forgetting between two results.
- `perplexity`: held-out perplexity on plain texts (token-weighted, batched, padding masked)
  and `answer_loss`, the reference answers' NLL: it moves while exact match is still 0;
  `answer_loss_parts` splits it into content tokens and the end-of-turn token.
- `suite`: a fixed EvalSuite, evaluated on one model or on several adapters of ONE loaded base.
- `table`: tidy rows → mean ± std over seeds (`aggregate`), printed or shown as HTML.
- `plots`: grouped bars per variant per metric, loss curves per variant, small PNGs.
- `judge`: plug an LLM judge in for free-form answers (`judge(prompt, reference, generated)`).

Importing this package is cheap: torch and matplotlib are imported inside functions.
"""

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
from helpers.evaluate.perplexity import (
    AnswerLossParts,
    PerplexityInputError,
    answer_loss,
    answer_loss_parts,
    perplexity,
)
from helpers.evaluate.plots import bar_chart, loss_curves, save_png
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
    # metrics a learner can trust (issue 14): end-of-turn apart from the answer's content
    "AnswerLossParts", "answer_loss_parts", "eos_stop_share",
]
