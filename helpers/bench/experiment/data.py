"""The experiment's data: training sets per variant and the fixed evaluation suite."""

from __future__ import annotations

import random

from helpers.bench.experiment.config import ExperimentConfig
from helpers.data.bundled import bundled_split, heldout_texts  # noqa: F401  (pipeline uses it)

INSTRUCTION_EVAL_SPLITS = {"seen": "test_seen", "phrasing": "test_phrasing",
                           "unseen_family": "test_unseen_family"}


def load_instructions(split: str) -> list[dict]:
    """Records of data/instructions/{split}.jsonl."""
    return bundled_split("instructions", split)


def mix_records(domain: list[dict], instructions: list[dict], replay_fraction: float,
                seed: int) -> list[dict]:
    """Domain records plus replayed instruction records, so that instructions make up
    `replay_fraction` of the result; shuffled with `seed`.

    Replay is the cheapest defence against forgetting: a share of the old task's data keeps
    its gradient in the mix while the new task is learned.
    """
    n_replay = round(len(domain) * replay_fraction / (1.0 - replay_fraction))
    rng = random.Random(seed)
    replay = rng.sample(instructions, min(n_replay, len(instructions)))
    mixed = list(domain) + replay
    rng.shuffle(mixed)
    return mixed


def eval_suite(cfg: ExperimentConfig, texts: list[str]):
    """The fixed EvalSuite: family-balanced instruction subsets, kind-balanced domain test,
    topic-balanced trained domain questions."""
    from helpers.domain import load_split, trained_fact_sample
    from helpers.evaluate import EvalSuite, sample_records
    from helpers.generate import GenerationSettings

    sizes = {"seen": cfg.eval_seen, "phrasing": cfg.eval_phrasing,
             "unseen_family": cfg.eval_unseen_family}
    instruction = {name: sample_records(load_instructions(split), sizes[name], cfg.eval_seed)
                   for name, split in INSTRUCTION_EVAL_SPLITS.items()}
    domain = sample_records(load_split("test"), cfg.eval_domain, cfg.eval_seed, key="kind")
    trained = (trained_fact_sample(load_split("train"), cfg.eval_domain_trained, cfg.eval_seed)
               if cfg.eval_domain_trained else [])
    return EvalSuite(instruction=instruction, domain=domain, domain_trained=trained,
                     heldout_texts=texts,
                     generation=GenerationSettings(max_new_tokens=cfg.max_new_tokens),
                     batch_size=cfg.eval_batch_size)
