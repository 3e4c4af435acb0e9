"""Load a base model (full precision or 4-bit NF4), attach, name, switch and stack LoRA adapters,
and save them in plain peft format.

The same calls load the bundled micro model (`data/models/micro-llama`) on a CPU,
`HuggingFaceTB/SmolLM2-360M` on a Colab T4, and a local GGUF file such as the real
SmolLM2-135M-Instruct on a CPU (`smollm2_gguf()`, helpers.gguf): only `ModelSettings.model`
changes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from helpers.adapter_meta import write_meta
from helpers.config import LoraSettings, ModelSettings, resolve_model_path
from helpers.device import hub_reachable, quiet_bitsandbytes_kernel_notice
from helpers.gguf import (
    GGUFError,
    is_gguf,
    local_folder,
    smollm2_gguf,  # noqa: F401 - re-exported: helpers.models.smollm2_gguf()
)
from helpers.paths import display_path, repo_path
from helpers.tokenizer import IM_END, IM_START
from helpers.untrained_tokens import untrained_token_ids


class ModelLoadError(ValueError):
    """A model or adapter could not be loaded; the message says what to do instead."""


def resolve_dtype(name: str):
    """"auto" → the hardware's dtype (helpers.device); else the named torch dtype."""
    import torch

    from helpers.device import compute_dtype

    if name == "auto":
        return compute_dtype()
    if name not in ("float32", "bfloat16", "float16"):
        raise ValueError(f"ModelSettings.dtype={name!r}: use auto, float32, bfloat16 or float16")
    return getattr(torch, name)


def quantization_config(settings: ModelSettings, dtype):
    """BitsAndBytesConfig for QLoRA: NF4 weights (+ double quant), compute in `dtype`."""
    if settings.quant == "none":
        return None
    if settings.quant != "4bit":
        raise ValueError(f"ModelSettings.quant={settings.quant!r}: use '4bit' or 'none'")
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",  # normal-float 4: quantiles of N(0,1), matches weight stats
        bnb_4bit_use_double_quant=settings.double_quant,
        bnb_4bit_compute_dtype=dtype,  # weights are dequantized to this for every matmul
    )


def device_map(device: str | None = None) -> dict | None:
    """Where from_pretrained puts the weights: the whole model on GPU 0 when there is one.

    Without it a full-precision load stays on the CPU while the GPU idles (4-bit loads are
    placed by bitsandbytes, but say it explicitly for both: one code path).
    """
    from helpers.device import detect

    return {"": 0} if (device or detect().device) == "cuda" else None


def load_tokenizer(path: str, local_files_only: bool = False):
    """Load a tokenizer and make it ready for completion-only training (ensure_chat_template)."""
    from transformers import AutoTokenizer

    from helpers.chat import ensure_chat_template

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=local_files_only)
    added = ensure_chat_template(tokenizer)
    return tokenizer, added


def load_base(settings: ModelSettings | str | None = None):
    """Load (model, tokenizer) for a base model, quantized to 4-bit NF4 unless quant="none".

    `settings.model` is a hub id, a local folder, or a local `.gguf` file: a GGUF file is
    dequantized once into a plain folder (helpers.gguf, cached) and loaded from there, because
    transformers cannot quantize a GGUF load to 4-bit itself.

    Raises ModelLoadError with a next step when the model is neither a local folder nor
    reachable on the hub (the usual cause offline: use the bundled micro model).
    """
    from transformers import AutoModelForCausalLM

    quiet_bitsandbytes_kernel_notice()  # before transformers imports bitsandbytes
    settings = ModelSettings(model=settings) if isinstance(settings, str) else settings
    settings = settings or ModelSettings()
    path = resolve_model_path(settings.model)
    if is_gguf(path):
        try:
            path = local_folder(path)
        except GGUFError as exc:  # one error type for every "cannot load this model"
            raise ModelLoadError(str(exc)) from exc
    dtype = resolve_dtype(settings.dtype)
    # Hub unreachable: use the local cache only, so a wrong or uncached id fails in seconds.
    offline = not Path(path).exists() and not hub_reachable()
    try:
        tokenizer, added = load_tokenizer(path, local_files_only=offline)
        model = AutoModelForCausalLM.from_pretrained(
            path, dtype=dtype, quantization_config=quantization_config(settings, dtype),
            local_files_only=offline, device_map=device_map(),
            # transformers' Auto* classes do not pass local_files_only on to their check for an
            # adapter_config.json: without this, ~25 s of retries even for a cached model.
            adapter_kwargs={"local_files_only": True} if offline else None)
    except OSError as exc:
        where = ("the hub is not reachable from here and it is not in the local cache" if offline
                 else str(exc))
        raise ModelLoadError(
            f"could not load model {settings.model!r}: {where}\nIf you are offline, use the "
            f"bundled micro model (model='data/models/micro-llama'); if it is a hub id, check "
            f"the spelling and that huggingface.co is reachable.") from exc
    if added:  # new chat tokens need embedding rows (attach_lora then trains them)
        model.resize_token_embeddings(len(tokenizer))
    if settings.quant == "4bit":
        # On CPUs with AVX512-BF16, bitsandbytes repacks 4-bit weights in place on the first
        # eval-mode forward and then computes in bf16 through a kernel without autograd: training
        # after any evaluation on the same base got wrong gradients (measured), and outputs
        # depended on whether a model had been evaluated yet. Keep the exact training numerics.
        from helpers.quant import exact_4bit_numerics

        exact_4bit_numerics(model)
    _align_generation_config(model, tokenizer)
    return model, tokenizer


def _align_generation_config(model, tokenizer) -> None:
    """Stop on the tokenizer's EOS (end of turn) too, and pad with its pad token.

    ensure_chat_template may make <|im_end|> the EOS of a hub tokenizer; a generation config
    that only knows the pretraining EOS would then run every answer to max_new_tokens.
    """
    cfg = model.generation_config
    eos = cfg.eos_token_id if isinstance(cfg.eos_token_id, list) else [cfg.eos_token_id]
    cfg.eos_token_id = sorted({i for i in eos if i is not None} | {tokenizer.eos_token_id})
    cfg.pad_token_id = tokenizer.pad_token_id


def chat_token_ids(tokenizer) -> list[int]:
    """Ids of the ChatML turn markers.

    A base model has never been trained to *produce* these (pretraining text has no chats),
    so their embedding rows are untrained; LoRA alone cannot change them. Training just those
    rows (peft `trainable_token_indices`) lets the model learn to end its turn.
    """
    return [tokenizer.convert_tokens_to_ids(t) for t in (IM_START, IM_END)]


def trainable_token_ids(model, tokenizer, lora: LoraSettings) -> list[int]:
    """Embedding rows the adapter trains: the chat markers, plus (with
    `lora.train_untrained_tokens`) every row the base's pretraining never reached."""
    ids = set(chat_token_ids(tokenizer))
    if lora.train_untrained_tokens:
        ids.update(untrained_token_ids(model, len(tokenizer)))
    return sorted(ids)


def lora_config(lora: LoraSettings, token_ids: list[int] | None = None):
    """peft LoraConfig from LoraSettings (+ the embedding rows to train, if any)."""
    from peft import LoraConfig

    return LoraConfig(
        r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
        target_modules=lora.target_modules, task_type="CAUSAL_LM",
        trainable_token_indices=token_ids or None,
    )


def attach_lora(model, tokenizer, lora: LoraSettings | None = None, name: str = "default",
                gradient_checkpointing: bool = False, seed: int = 0):
    """Add a new trainable LoRA adapter `name` (to a base model, or beside existing adapters).

    On a PeftModel the new adapter joins the others on the same base and becomes the active,
    trainable one. `seed` fixes the adapter's random init (LoRA A matrices): without it, two runs
    with the same training seed still differ, because Trainer seeds only after the adapter exists.
    """
    from peft import PeftModel, get_peft_model, prepare_model_for_kbit_training
    from transformers import set_seed

    set_seed(seed)
    lora = lora or LoraSettings()
    config = lora_config(lora, trainable_token_ids(model, tokenizer, lora))
    if isinstance(model, PeftModel):
        model.add_adapter(name, config)
        model.set_adapter(name)
        return model
    if getattr(model, "is_loaded_in_4bit", False):
        # Casts norms/embeddings to fp32 and hooks input grads: needed for stable 4-bit training.
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=gradient_checkpointing)
    elif gradient_checkpointing:
        model.gradient_checkpointing_enable()
        model.enable_input_require_grads()
    return get_peft_model(model, config, adapter_name=name)


def branch_adapter(peft_model, tokenizer, source: str, name: str):
    """A new trainable adapter `name` that starts as a copy of adapter `source` (the hybrid).

    The hybrid is "instruction tuning, then domain SFT": it begins with the IT adapter's
    weights and trains on from there, while `source` itself stays untouched and loadable. (A
    frozen IT adapter *plus* a second active adapter is not possible here: peft allows one
    active adapter on the trained chat-token rows.) Goes through save/load, so the copy is
    exactly what a reload from disk would give.
    """
    with tempfile.TemporaryDirectory() as tmp:
        save_adapter(peft_model, tokenizer, tmp, source)
        load_adapter(peft_model, tmp, name, trainable=True)
    peft_model.set_adapter(name)
    return peft_model


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameter counts; 4-bit weights count as their logical size."""
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = 0
    for p in model.parameters():
        total += p.numel() * (2 if p.__class__.__name__ == "Params4bit" else 1)  # 2 nf4 per byte
    return trainable, total


def save_adapter(peft_model, tokenizer, out_dir: str | Path, name: str,
                 metadata: dict | None = None) -> Path:
    """Save adapter `name` in standard peft layout at `out_dir`, tokenizer + template beside it.

    Loadable with plain `PeftModel.from_pretrained(base, out_dir)`; `tunelab.json` records
    what it is (stage, base model, the adapter it stacks on) for the registry and humans.
    """
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory() as tmp:
        peft_model.save_pretrained(tmp, selected_adapters=[name])
        src = Path(tmp) / name if (Path(tmp) / name).is_dir() else Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for f in src.iterdir():
            if f.is_file():
                shutil.copy2(f, out_dir / f.name)
    cfg_path = out_dir / "adapter_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["base_model_name_or_path"] = display_path(cfg.get("base_model_name_or_path") or "")
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    tokenizer.save_pretrained(out_dir)
    meta = {"adapter_name": name, "base_model": cfg["base_model_name_or_path"], **(metadata or {})}
    write_meta(out_dir, meta)
    return out_dir


def load_adapter(model, path: str | Path, name: str, trainable: bool = False):
    """Load a saved adapter under `name` onto a base model or an existing PeftModel."""
    from peft import PeftModel

    path = Path(path)
    if not (path / "adapter_config.json").exists():
        raise ModelLoadError(f"{path} has no adapter_config.json: is this an adapter folder? "
                             "Pass the folder save_adapter() wrote.")
    if isinstance(model, PeftModel):
        model.load_adapter(str(path), adapter_name=name, is_trainable=trainable)
    else:
        if getattr(model, "is_loaded_in_4bit", False):
            # As attach_lora does: fp32 norms and embeddings on a 4-bit base. Without it, an
            # adapter branched from a loaded one (notebook 04's hybrid) trains against fp16/bf16
            # norms on a GPU, and evaluation differs from the numerics the adapter was made in.
            from peft import prepare_model_for_kbit_training

            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        model = PeftModel.from_pretrained(model, str(path), adapter_name=name,
                                          is_trainable=trainable)
    # The saved base path is repo-relative (portable); in memory make it absolute again, or
    # peft's save_pretrained looks for the base's config relative to the current folder
    # ("Could not find a config file in data/models/micro-llama") when run from notebooks/.
    config = model.peft_config[name]
    config.base_model_name_or_path = resolve_model_path(config.base_model_name_or_path or "")
    return model


def adapter_base(folder: str | Path) -> str:
    """The base model an adapter folder was trained on (from its adapter_config.json)."""
    cfg = json.loads((Path(folder) / "adapter_config.json").read_text())
    return cfg.get("base_model_name_or_path") or ""


def base_id(model: ModelSettings | str) -> str:
    """How save_adapter records a base model: a repo-relative path or a hub id."""
    return display_path(model if isinstance(model, str) else model.model)


def previous_adapter(folder: str | Path, base: ModelSettings | str,
                     other_base: str = "raise") -> Path | None:
    """The adapter an earlier notebook saved in `folder`, if this notebook can reuse it.

    The one rule behind "reuse the previous notebook's adapter, else train a stand-in": the
    folder as a Path when it holds an adapter (adapter_config.json) trained on `base` (a
    ModelSettings or a model path / hub id); None when it holds none, so the caller trains its
    stand-in. An adapter trained on another base only fits that base: other_base="raise"
    raises a ValueError naming both, "ignore" returns None (train a stand-in instead).
    """
    if other_base not in ("raise", "ignore"):
        raise ValueError(f"other_base must be 'raise' or 'ignore', got {other_base!r}")
    folder = repo_path(folder)
    if not (folder / "adapter_config.json").exists():
        return None
    wanted, found = base_id(base), adapter_base(folder)
    if found == wanted:
        return folder
    if other_base == "ignore":
        return None
    raise ValueError(f"the adapter in {display_path(folder)} was trained on base {found!r}, but "
                     f"this notebook loads {wanted!r}: set MODEL to that base, or retrain the "
                     "adapter on this one")


def set_active(peft_model, names: str | list[str]) -> None:
    """Make `names` the active adapter(s), frozen (inference); a list stacks them."""
    peft_model.base_model.set_adapter(names, inference_mode=True)


@contextmanager
def active_adapters(peft_model, names: str | list[str] | None):
    """Run a block with these adapters active; None = the base model (adapters disabled)."""
    previous = peft_model.base_model.active_adapter
    if names is None:
        with peft_model.disable_adapter():
            yield peft_model
        return
    set_active(peft_model, names)
    try:
        yield peft_model
    finally:
        set_active(peft_model, previous)
