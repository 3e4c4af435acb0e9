"""The bundled domain set: Nimbusly, a fictional cloud-hosting provider, and its support Q&A.

- `kb`: the knowledge base as structured facts; `DOMAIN_TERMS` for the pretraining-corpus check.
- `scope`: what must be refused or escalated, and the fixed refusal/escalation replies.
- `splits`: `load_split`, the system prompt of the bundled records, and `trained_fact_sample`
  (training questions to score memorisation against the held-out phrasings).
- `score`: fact accuracy, refusal and escalation detection, aggregate metrics.
- `fresh`: the policy change of lesson 08 and the "old fact" check.

Build-time code (questions, Q&A records, the split builder and card) is in helpers.build.domain:
`python -m helpers.build.domain build`. Importing this package is cheap (no torch).
"""

from helpers.domain.kb import COMPANY, DOMAIN_TERMS, find_domain_terms
from helpers.domain.scope import ESCALATION_MESSAGE, REFUSAL_MESSAGE
from helpers.domain.score import (
    fact_accuracy,
    is_correct,
    is_escalation,
    is_refusal,
    normalise,
    score_domain,
)
from helpers.domain.splits import DOMAIN_SYSTEM_PROMPT, SPLITS, load_split, trained_fact_sample

__all__ = [
    "COMPANY", "DOMAIN_SYSTEM_PROMPT", "DOMAIN_TERMS", "ESCALATION_MESSAGE", "REFUSAL_MESSAGE",
    "SPLITS", "fact_accuracy", "find_domain_terms", "is_correct", "is_escalation", "is_refusal",
    "load_split", "normalise", "score_domain", "trained_fact_sample",
]
