"""Run configuration: one dataclass per concern, a comment per field, presets per hardware.

Configs are plain data (JSON-able via `to_dict`), passed explicitly; the notebooks' parameters
cells fill them in. `preset("cpu" | "t4" | "24gb")` gives settings that fit that hardware.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from helpers.paths import resolve_repo_path

MICRO_MODEL = "data/models/micro-llama"  # repo-relative: configs stay free of machine paths
HUB_BASE_MODEL = "HuggingFaceTB/SmolLM2-360M"  # the real base model learners use on a GPU
# Domain SFT of the micro model (notebook 04, the experiment): 5e-3 beat the cpu preset's 2e-3 in
# the recipe sweep (data/results/sweep: domain accuracy 0.158 vs 0.116, 300 steps). Memorising
# facts wants a higher rate than instruction tuning; for hub models keep their preset's 2e-4.
MICRO_SFT_LEARNING_RATE = 5e-3


@dataclass
class ModelSettings:
    """Which base model, and how to load it."""

    model: str = MICRO_MODEL  # hub id ("HuggingFaceTB/SmolLM2-360M") or local/repo-relative path
    quant: str = "4bit"  # "4bit" = QLoRA (NF4 weights, frozen); "none" = full-precision base
    double_quant: bool = True  # also quantize the 4-bit blocks' scales: ~0.4 bit/param saved
    dtype: str = "auto"  # compute dtype; "auto" = bf16 on Ampere+, fp16 on T4, fp32 on CPU


@dataclass
class LoraSettings:
    """The LoRA adapter attached to the (frozen) base."""

    r: int = 16  # rank: adapter capacity; 8–64 is typical, trainable params grow linearly in r
    alpha: int = 32  # scale = alpha / r; keep alpha ≈ 2r so changing r keeps the update size
    dropout: float = 0.05  # regularises small datasets; 0 for very short runs
    target_modules: str | list[str] = "all-linear"  # QLoRA paper: adapting every linear layer
    #                                                 beats attention-only at the same budget
    # Also train the embedding rows the base's pretraining never reached (listed in the model
    # folder's untrained_tokens.json; the micro model has one, hub models don't). LoRA freezes
    # embeddings, so without this a word the base never read stays random noise to the adapter.
    train_untrained_tokens: bool = False


@dataclass
class TrainSettings:
    """How to train (mapped onto transformers.TrainingArguments by helpers.train)."""

    output_dir: str = "runs/adapter"  # checkpoints, logs and the final adapter go here
    max_steps: int = 300  # optimizer steps (not epochs): runs are comparable across datasets
    batch_size: int = 8  # examples per device per step; lower it first on out-of-memory
    grad_accum: int = 1  # steps accumulated per update: effective batch = batch_size × grad_accum
    learning_rate: float = 2e-4  # LoRA tolerates ~10× the full-fine-tuning LR; 1e-3 for tiny models
    lr_schedule: str = "cosine"  # "cosine" or "linear" decay after warmup
    warmup_ratio: float = 0.05  # fraction of steps with a linearly rising LR (stabilises start)
    weight_decay: float = 0.0  # LoRA runs rarely need it
    max_grad_norm: float = 1.0  # gradient clipping; protects against a single bad batch
    max_length: int = 256  # tokens per example after the chat template; longer ones truncated
    truncation: str = "keep_start"  # "keep_start" drops the end, "keep_end" drops the beginning
    gradient_checkpointing: bool = False  # trade ~30% speed for much less activation memory
    packing: bool = False  # pack each batch into rows of max_length tokens, no padding; examples
    #                        cannot see each other (per-example position ids); same loss curve
    group_by_length: bool = False  # batches of similar length (less padding); order less random
    answer_logits_only: bool = True  # compute the LM head's logits only where a target token
    #                                  follows (helpers.answer_logits): same loss, far less memory
    #                                  with big vocabularies (Llama-3: 128k × every prompt token)
    optim: str = "auto"  # "auto" = paged 8-bit AdamW on CUDA (bitsandbytes), AdamW on CPU
    eval_steps: int = 50  # evaluate the eval split every N steps (0 = never)
    save_steps: int = 100  # checkpoint every N steps (resume restarts from the last one)
    save_total_limit: int = 2  # keep only the newest N checkpoints on disk
    logging_steps: int = 10  # record the training loss every N steps
    seed: int = 0  # same seed + same hardware = same run
    resume: bool = True  # resume from the newest checkpoint in output_dir if there is one


@dataclass
class RunConfig:
    """Everything a training run needs; saved beside its results for lineage."""

    model: ModelSettings = field(default_factory=ModelSettings)
    lora: LoraSettings = field(default_factory=LoraSettings)
    train: TrainSettings = field(default_factory=TrainSettings)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> RunConfig:
        return cls(ModelSettings(**d.get("model", {})), LoraSettings(**d.get("lora", {})),
                   TrainSettings(**d.get("train", {})))


def preset(name: str) -> RunConfig:
    """Settings known to fit: "cpu" (micro model, minutes), "t4" (Colab 16 GB), "24gb"."""
    presets = {
        # Measured on the micro model (QLoRA r=16, 200 steps): lr 2e-3 beat 1e-3 and 5e-3.
        # Its pretraining never read most question words, so the adapters train those embedding
        # rows too (data/results/sweep/README.md: false refusals 0.198 -> 0.114 over 3 seeds).
        "cpu": RunConfig(lora=LoraSettings(train_untrained_tokens=True),
                         train=TrainSettings(learning_rate=2e-3, batch_size=16, max_length=256)),
        "t4": RunConfig(
            model=ModelSettings(model=HUB_BASE_MODEL),
            train=TrainSettings(batch_size=8, max_length=512, gradient_checkpointing=True),
        ),
        "24gb": RunConfig(
            model=ModelSettings(model=HUB_BASE_MODEL),
            train=TrainSettings(batch_size=16, max_length=1024),
        ),
    }
    if name not in presets:
        raise ValueError(f"unknown preset {name!r}: choose one of {sorted(presets)}")
    return presets[name]


def with_overrides(config: RunConfig, **sections: dict) -> RunConfig:
    """Copy of `config` with fields replaced per section, e.g. train={"max_steps": 20}."""
    parts = {}
    for section, values in sections.items():
        if not hasattr(config, section):
            raise ValueError(f"unknown config section {section!r}: use model, lora or train")
        parts[section] = replace(getattr(config, section), **values)
    return replace(config, **parts)


def resolve_model_path(model: str) -> str:
    """A repo-relative path (like the micro model's) → absolute; a hub id is returned as is."""
    return resolve_repo_path(model)


def quick_mode(default: bool = False) -> bool:
    """CI-sized runs? Set by TUNELAB_QUICK=1 (pytest's notebook runs, `python -m helpers.bench.course --quick`)."""
    import os

    value = os.environ.get("TUNELAB_QUICK")
    return default if value is None else value.strip() not in ("", "0", "false", "False")


def auto_config(model: str = "auto") -> tuple[RunConfig, str]:
    """Pick settings for this machine and say why: what every notebook's parameters cell calls.

    model="auto": a real hub model with the t4/24gb preset when a CUDA GPU is present and the
    hub is reachable; otherwise the bundled micro model with the cpu preset. Any other value is
    used as given (hub id or path) with the preset that fits this hardware.
    """
    from helpers.device import detect, gpu_and_hub_available

    hw = detect()
    gpu_preset = "24gb" if (hw.total_memory or 0) >= 20 * 2**30 else "t4"
    if model == "auto":
        if gpu_and_hub_available():
            return preset(gpu_preset), f"GPU ({hw.name}) and hub reachable → {HUB_BASE_MODEL}"
        why = "no CUDA GPU" if hw.device != "cuda" else "hub not reachable"
        return preset("cpu"), f"{why} → bundled micro model ({MICRO_MODEL}), offline"
    config = preset(gpu_preset if hw.device == "cuda" else "cpu")
    return with_overrides(config, model={"model": model}), f"model set by hand → {model}"
