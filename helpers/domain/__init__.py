"""The bundled domain set: Nimbusly, a fictional cloud-hosting provider, and its support Q&A.

- `kb`: the knowledge base as structured facts; `DOMAIN_TERMS` for the pretraining-corpus check.
- `questions` / `scope`: how customers ask, and what must be refused or escalated.
- `qa`: records and the held-out-phrasing split; `build`: writes data/domain/ and its card.
- `score`: fact accuracy, refusal and escalation detection, aggregate metrics.

Build with `python -m helpers.domain build`. Importing this package is cheap (no torch).
"""

from helpers.domain.build import load_split, write_dataset
from helpers.domain.kb import COMPANY, DOMAIN_TERMS, find_domain_terms
from helpers.domain.qa import DOMAIN_SYSTEM_PROMPT, DomainConfig, build_splits
from helpers.domain.scope import ESCALATION_MESSAGE, REFUSAL_MESSAGE
from helpers.domain.score import (
    fact_accuracy,
    is_correct,
    is_escalation,
    is_refusal,
    normalise,
    score_domain,
)

__all__ = [
    "COMPANY", "DOMAIN_SYSTEM_PROMPT", "DOMAIN_TERMS", "ESCALATION_MESSAGE", "REFUSAL_MESSAGE",
    "DomainConfig", "build_splits", "fact_accuracy", "find_domain_terms", "is_correct",
    "is_escalation", "is_refusal", "load_split", "normalise", "score_domain", "write_dataset",
]
