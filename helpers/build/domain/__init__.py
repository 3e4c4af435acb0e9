"""Build-time: the bundled domain set (data/domain/): questions, Q&A records, splits, card.

    python -m helpers.build.domain build --seed 0

- `questions`: how customers ask; `qa`: records and the held-out-phrasing split;
  `build`: writes data/domain/ and its card (`data_card`).

The knowledge base, scope messages, scoring and `load_split` are learner-side, in helpers.domain.
"""

from helpers.build.domain.build import FILES, dataset_hash, kb_document, write_dataset
from helpers.build.domain.qa import DomainConfig, DomainDataError, build_splits

__all__ = ["FILES", "DomainConfig", "DomainDataError", "build_splits", "dataset_hash",
           "kb_document", "write_dataset"]
