"""What the trade-off experiment runs: variants, steps, seeds and evaluation subset sizes.

`full()` is the committed run, at the notebooks' budgets (the committed 3 seeds ran as three
one-thread processes side by side on 2 CPU cores, then `--merge`d: 52 min wall);
`quick()` is the same pipeline shrunk to a couple of minutes, which CI re-runs to check that
the script works and writes a valid results file — its numbers mean nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from helpers.config import MICRO_MODEL, MICRO_SFT_LEARNING_RATE

VARIANTS = ("base", "it", "sft", "hybrid", "replay")
VARIANT_HELP = {
    "base": "the pretrained micro model, no adapter",
    "it": "instruction-tuned (QLoRA) on data/instructions/train.jsonl",
    "sft": "domain SFT from the base on data/domain/train.jsonl",
    "hybrid": "IT adapter, then domain SFT from it (helpers.models.branch_adapter)",
    "replay": "IT adapter, then domain SFT from it with instruction data replayed in the mix",
}
# (before, after) pairs for forgetting: what domain SFT costs on general tasks. Only models
# trained *from* the IT adapter can forget what it learned; an SFT trained from the base is
# compared with the base in the variant table, and calling its gap to IT "forgetting" would
# measure a model that never knew the tasks.
FORGETTING_PAIRS = (("it", "hybrid"), ("it", "replay"))
GENERAL_METRICS = ("seen_accuracy", "phrasing_accuracy", "unseen_family_accuracy",
                   "seen_answer_loss", "phrasing_answer_loss", "unseen_family_answer_loss",
                   "perplexity")


@dataclass
class ExperimentConfig:
    """Everything that determines an experiment run (saved into results.json)."""

    model: str = MICRO_MODEL  # base model (repo-relative path or hub id), loaded in 4-bit NF4
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])  # adapter init + data order
    # The notebooks' full-mode budgets (notebooks 03 and 04; a test keeps them equal), chosen
    # from the recipe sweep in data/results/sweep (python -m helpers.bench.experiment.sweep): IT 800
    # steps beat 400 (seen exact match 0.281 vs 0.231), rank 64 did not beat 16, lr 5e-3 was
    # worse than 2e-3 for IT; for domain SFT 5e-3 beat 2e-3 (accuracy 0.158 vs 0.116). Re-run on
    # the stage-5 model: IT 2e-3 0.438 > 3e-3 0.394 > 5e-3 0.119; SFT 5e-3 0.158 ~ 3e-3 0.147,
    # 1e-2 diverges. SFT steps (sft_stage5_steps.json): facts on new phrasings 0.029 (300) →
    # 0.071 (450) → 0.129 (600), on trained phrasings 0.586 (450) → 0.843 (600); 450 is what
    # fits notebook 04's 10-minute budget, which trains two domain adapters. Stage 8
    # (it_stage8_steps.json, it_stage8_seed1.json): IT 1600 steps beat 800 in both seeds, seen
    # 0.594/0.619 vs 0.562/0.556, held-out phrasings 0.481/0.537 vs 0.419/0.444; notebook 03
    # trains 1600 steps in about 8 of its 10 minutes on 2 cores.
    it_steps: int = 1600  # optimizer steps of instruction tuning (~6.2 epochs of 4127 records)
    sft_steps: int = 450  # optimizer steps of domain SFT, sft/hybrid/replay alike (~6.9 epochs of 1048)
    replay_fraction: float = 0.25  # share of instruction records in the replay variant's data
    batch_size: int = 16  # examples per step
    learning_rate: float = 2e-3  # IT: LoRA on a tiny model needs a high LR
    sft_learning_rate: float = MICRO_SFT_LEARNING_RATE  # domain SFT (sft, hybrid, replay)
    lora_r: int = 16  # LoRA rank (alpha = 2r)
    # Train the embedding rows the base never reached too (LoraSettings.train_untrained_tokens).
    # On since the sweep (data/results/sweep/README.md): 1844 of the micro model's 3032 token
    # ids, most question words among them, never occurred in its pretraining corpus, and a
    # frozen untrained row is noise to the adapter. Notebooks 03 and 04 get it from the cpu
    # preset (a test keeps the two equal). Hub models ship no list, so it changes nothing there.
    train_untrained_tokens: bool = True
    max_length: int = 256  # tokens per training example
    logging_steps: int = 10  # loss-curve resolution
    eval_seen: int | None = None  # test_seen examples scored (None = all 640: 20 per family,
    #                               enough for a per-family interval), family-balanced
    eval_phrasing: int | None = 320  # test_phrasing examples (None = all 610), 10 per family
    eval_unseen_family: int | None = None  # test_unseen_family examples (None = all 200: n=25
    #                                        per held-out family, enough for an interval)
    eval_domain: int | None = None  # domain test records (None = all 95), kind-balanced
    # Fact questions from the domain *training* split, topic-balanced (0 = skip): fact accuracy
    # on phrasings the adapter saw, beside the test's new phrasings — memorised vs learned.
    eval_domain_trained: int = 70
    heldout_texts: int = 64  # held-out pretraining documents for perplexity
    max_new_tokens: int = 40  # longest answer generated; the domain answers need ~25 tokens
    eval_batch_size: int = 32  # prompts per generate() call
    eval_seed: int = 0  # picks the evaluation subsets: the same for every variant and seed
    # Knowledge-base statements put into the prompt for the +rag variants (experiment.rag).
    # 3: recall@3 of the needed fact is 0.74 on the test questions; more costs context.
    rag_k: int = 3
    eval_fresh: int | None = None  # questions about the changed facts (None = all 64)
    # torch CPU threads. 1 on purpose: on a shared 2-core machine, 2 threads spin-wait against
    # the other processes and a training step ran 5–20x slower (measured: 0.4–0.7 s vs 3–13 s).
    threads: int = 1

    def to_dict(self) -> dict:
        return asdict(self)

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("ExperimentConfig.seeds is empty: give at least one seed, e.g. [0]")
        if not 0.0 <= self.replay_fraction < 1.0:
            raise ValueError(f"ExperimentConfig.replay_fraction={self.replay_fraction}: use a "
                             "share in [0, 1), e.g. 0.25 for one instruction record in four")
        if self.rag_k < 1:
            raise ValueError(f"ExperimentConfig.rag_k={self.rag_k}: retrieve at least 1 fact")
        if min(self.it_steps, self.sft_steps) < 1:
            raise ValueError("ExperimentConfig.it_steps and sft_steps must be >= 1")


def full(**overrides) -> ExperimentConfig:
    """The committed run: 3 seeds at the notebooks' budgets (1600 IT steps, 450 SFT steps)."""
    return replace(ExperimentConfig(), **overrides)


def quick(**overrides) -> ExperimentConfig:
    """A couple of minutes: 1 seed, a few steps, a few examples per split (checks the pipeline)."""
    small = ExperimentConfig(seeds=[0], it_steps=6, sft_steps=4, logging_steps=2, eval_seen=8,
                             eval_phrasing=6, eval_unseen_family=6, eval_domain=9, eval_domain_trained=6,
                             heldout_texts=8, max_new_tokens=12, eval_fresh=8)
    return replace(small, **overrides)
