"""The model card: a Hugging Face README.md (YAML metadata + prose) generated from a run.

Every number in it is read from the run's own files (config.json, run.json, history.jsonl,
metrics.json), so the card cannot drift from the run. The YAML front matter is written by
huggingface_hub's ModelCardData, so the hub parses it (license, base_model, library_name: peft,
tags, datasets, and the model-index block with the evaluation results).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.io import atomic_write_text
from helpers.tables import Table, fmt

if TYPE_CHECKING:
    from helpers.registry.run_dir import Run

DEFAULT_INTENDED_USE = (
    "Teaching and prototyping: comparing instruction tuning and domain supervised fine-tuning "
    "of small causal language models with tunelab. It has not been evaluated for safety, "
    "fairness or factual reliability beyond the metrics below; do not put it in front of users "
    "without your own evaluation.")
MICRO_MODEL_NOTE = (
    "The base model is tunelab's bundled micro model (at most ~20M parameters, pretrained on "
    "a small synthetic world): it knows nothing else, so outputs are for learning only.")
_TRAINING_ROWS = [("quantization", "model.quant"), ("LoRA rank r", "lora.r"),
                  ("LoRA alpha", "lora.alpha"), ("LoRA dropout", "lora.dropout"),
                  ("target modules", "lora.target_modules"), ("max steps", "train.max_steps"),
                  ("batch size", "train.batch_size"), ("gradient accumulation", "train.grad_accum"),
                  ("learning rate", "train.learning_rate"), ("schedule", "train.lr_schedule"),
                  ("max length (tokens)", "train.max_length")]


def _get(d: dict, path: str) -> Any:
    for part in path.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    return d


def _numeric(metrics: dict) -> dict[str, float]:
    return {k: v for k, v in metrics.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def card_metadata(run: Run, license: str = "apache-2.0") -> str:
    """The YAML front matter (without the --- fences)."""
    from huggingface_hub import EvalResult, ModelCardData

    meta, config = run.meta, run.config
    eval_data = meta.get("eval_data", {})
    results = [EvalResult(task_type="text-generation", dataset_type=eval_data.get(k, "held-out"),
                          dataset_name=eval_data.get(k, "held-out evaluation"), metric_type=k,
                          metric_value=v) for k, v in _numeric(run.metrics).items()]
    tags = ["tunelab", "peft", "lora"] + (["qlora"] if _get(config, "model.quant") == "4bit"
                                          else []) + list(meta.get("tags", []))
    sources = [d["source"] for d in meta.get("data", {}).values() if d.get("source")]
    data = ModelCardData(license=license, base_model=_get(config, "model.model"),
                         library_name="peft", pipeline_tag="text-generation",
                         tags=list(dict.fromkeys(tags)), datasets=sources or None,
                         model_name=meta.get("name"), eval_results=results or None)
    return data.to_yaml()


def _limitations(run: Run, extra: list[str]) -> list[str]:
    meta, notes = run.meta, list(extra)
    if "micro-llama" in str(_get(run.config, "model.model")):
        notes.append(MICRO_MODEL_NOTE)
    roles = meta.get("data", {})
    if roles:
        sizes = ", ".join(f"{r}: {d.get('records', '?')} records" for r, d in roles.items())
        notes.append(f"Trained and checked only on the data listed below ({sizes}); behaviour "
                     "on other tasks, languages or phrasings was not measured.")
    if not _numeric(run.metrics):
        notes.append("No evaluation metrics were recorded for this run.")
    for role, pii in meta.get("lineage", {}).get("pii", {}).items():
        if pii.get("total", 0):
            kinds = ", ".join(f"{k} {n}" for k, n in pii.get("counts", {}).items() if n)
            notes.append(f"The PII scan found {pii['total']} possible personal-data item(s) in "
                         f"the {role} data ({kinds}); the model may reproduce them.")
        if pii.get("matches_run_data") is False:
            notes.append(f"The PII scan recorded for {role} was run on data whose fingerprint "
                         "differs from the training data's: re-scan the data actually used.")
    dropped = meta.get("training", {}).get("dropped") or {}
    if sum(dropped.values() if isinstance(dropped, dict) else []):
        notes.append(f"Examples dropped while encoding (e.g. nothing left to learn after "
                     f"truncation): {dropped}.")
    return notes


def _data_section(run: Run) -> list[str]:
    meta = run.meta
    table = Table(["role", "records", "fingerprint (sha256)", "source"],
                  [[r, d.get("records"), d.get("fingerprint"), d.get("source")]
                   for r, d in meta.get("data", {}).items()])
    lines = ["## Training data", "", table.to_markdown() if table.rows else "Not recorded.", ""]
    for role, pii in meta.get("lineage", {}).get("pii", {}).items():
        counts = ", ".join(f"{k}: {n}" for k, n in pii.get("counts", {}).items())
        lines.append(f"PII scan of `{role}` ({pii.get('records')} records, fingerprint "
                     f"`{str(pii.get('fingerprint'))[:12]}…`): {counts or 'nothing found'}.")
    return lines + [""]


def _training_section(run: Run) -> list[str]:
    meta, config, history = run.meta, run.config, run.history
    rows = [[label, _get(config, path)] for label, path in _TRAINING_ROWS
            if _get(config, path) is not None] + [["seed", meta.get("seed")]]
    lines = ["## Training procedure", "", Table(["setting", "value"], rows).to_markdown(), ""]
    losses = [h["loss"] for h in history if h.get("loss") is not None]
    if losses:
        lines.append(f"Training loss went from {fmt(losses[0])} to {fmt(losses[-1])} over "
                     f"{len(losses)} logged points (history.jsonl has every point).")
    training = meta.get("training", {})
    if training.get("final_eval_loss") is not None:
        lines.append(f"Final eval loss: {fmt(training['final_eval_loss'])}.")
    env = meta.get("environment", {})
    hw, pkgs = env.get("hardware", {}), env.get("packages", {})
    if hw:
        lines.append(f"Hardware: {hw.get('device')} ({hw.get('name')}).")
    if pkgs:
        lines.append("Libraries: " + ", ".join(f"{k} {v}" for k, v in pkgs.items()) + ".")
    return lines + [""]


def _eval_section(run: Run) -> list[str]:
    eval_data = run.meta.get("eval_data", {})
    rows = [[k, v, eval_data.get(k, "held-out evaluation")]
            for k, v in _numeric(run.metrics).items()]
    body = Table(["metric", "value", "dataset"], rows).to_markdown() if rows else "None recorded."
    return ["## Evaluation results", "", body, ""]


def _usage_section(run: Run) -> list[str]:
    if run.adapter_path is None:
        return ["## How to use", "", "This run saved no adapter.", ""]
    base = _get(run.config, "model.model")
    path = f"runs/{run.id}/adapter"  # relative to the registry folder
    code = ["from peft import PeftModel",
            "from transformers import AutoModelForCausalLM, AutoTokenizer", ""]
    if _get(run.config, "model.quant") == "4bit":
        # The adapter learned corrections to the 4-bit weights: on the full-precision base the
        # same adapter answers differently (notebook 07 measured it). Load the base it saw.
        double = bool(_get(run.config, "model.double_quant"))
        code[1:1] = ["from transformers import BitsAndBytesConfig"]
        code += ["bnb = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type=\"nf4\",",
                 f"                         bnb_4bit_use_double_quant={double})",
                 f'base = AutoModelForCausalLM.from_pretrained("{base}", quantization_config=bnb)']
        note = ["The adapter was trained on the 4-bit NF4 base, so it is loaded onto the same "
                "4-bit base here; to serve without peft or bitsandbytes, merge it into the "
                "dequantized base (`helpers.export.export_merged`).", ""]
    else:
        code += [f'base = AutoModelForCausalLM.from_pretrained("{base}")']
        note = []
    code += [f'tokenizer = AutoTokenizer.from_pretrained("{path}")  # chat template included',
             f'model = PeftModel.from_pretrained(base, "{path}")']
    return ["## How to use", "", "Paths are relative to the registry folder.", "", *note,
            "```python", *code, "```", ""]


def render_model_card(run: Run, *, license: str = "apache-2.0", intended_use: str | None = None,
                      limitations: list[str] | None = None) -> str:
    """The whole README.md text for a run."""
    meta = run.meta
    base = _get(run.config, "model.model")
    intro = (f"A LoRA adapter for `{base}`, trained with tunelab (run `{run.id}`, created "
             f"{meta.get('created')}). {meta.get('description', '')}").strip()
    lines = ["---", card_metadata(run, license).rstrip(), "---", "", f"# {meta.get('name')}", "",
             intro, "", "## Intended use", "", intended_use or DEFAULT_INTENDED_USE, "",
             "## Limitations", ""]
    lines += [f"- {note}" for note in _limitations(run, limitations or [])] + [""]
    lines += _data_section(run) + _training_section(run) + _eval_section(run)
    lines += _usage_section(run)
    lineage = (f"Run `{run.id}`: config.json (full configuration), run.json (seed, data "
               "fingerprints, versions, hardware, PII scan), history.jsonl, metrics.json. This "
               "card is generated from those files by `helpers.registry.write_model_card`; "
               "edit them, not the card.")
    lines += ["## Lineage", "", lineage, ""]
    return "\n".join(lines)


def write_model_card(run: Run, **options: Any) -> Path:
    """Write README.md into the run folder (atomically) and return its path."""
    return atomic_write_text(run.dir / "README.md", render_model_card(run, **options))
