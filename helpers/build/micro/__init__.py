"""The bundled micro base model: its corpus, tokenizer, architecture and pretraining.

- `corpus` (with `facts`, `stories`, `phrases`): the generated English corpus about helpers.world.
- `checks`: the denylist that keeps the instruction format and the hosting domain out of it.
- `model`: the tiny Llama configuration; `pretrain` + `tokens`: the plain PyTorch training loop.
- `pretrain_pipeline`: one full run, measuring everything; `data_card`: the data card written
  from those numbers.

CLI: `python -m helpers.build.micro corpus --n 5` / `python -m helpers.build.micro pretrain --out DIR ...`.
Importing this package is cheap: torch and transformers are imported inside functions.
"""

from helpers.build.micro.checks import assert_clean_corpus, find_violations
from helpers.build.micro.corpus import CorpusConfig, generate_corpus, split_corpus
from helpers.build.micro.model import MicroModelConfig
from helpers.build.micro.pretrain import PretrainConfig

__all__ = [
    "CorpusConfig", "MicroModelConfig", "PretrainConfig", "assert_clean_corpus",
    "find_violations", "generate_corpus", "split_corpus",
]
