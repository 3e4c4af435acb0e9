"""Hardware detection and the dtype choice that follows from it.

The rule (PITFALLS: "bf16 requested on a T4 → crash, or fp16 → NaN loss"):
- CUDA with bf16 support (Ampere and newer: A100, L4, RTX 30xx/40xx, H100) → bfloat16.
- CUDA without bf16 (T4, V100) → float16 compute, with LoRA weights kept in float32 and loss
  scaling on (helpers.train sets `fp16=True`; peft keeps adapters in fp32) — else the loss goes NaN.
- CPU (and anything else) → float32: CPU half-precision matmuls are slow or unsupported.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
from dataclasses import asdict, dataclass, field

KIT_PACKAGES = (
    "torch", "transformers", "peft", "bitsandbytes", "accelerate", "datasets", "tokenizers",
    "safetensors", "matplotlib", "ipywidgets", "jupyterlab", "nbval",
)


@dataclass
class Hardware:
    """What this process can compute on."""

    device: str  # "cuda" or "cpu" (mps is treated as cpu: bitsandbytes 4-bit has no mps path)
    name: str  # GPU name, or the CPU model string
    total_memory: int | None  # GPU memory in bytes; None on CPU
    bf16: bool  # can this device train in bfloat16?
    cpu_threads: int  # torch intra-op threads (what CPU training will use)
    in_colab: bool = False  # running inside Google Colab?
    extra: dict = field(default_factory=dict)  # capability, CUDA version, …

    def summary(self) -> str:
        mem = f", {self.total_memory / 2**30:.1f} GiB" if self.total_memory else ""
        return f"{self.device}: {self.name}{mem}; bf16={'yes' if self.bf16 else 'no'}"

    def to_dict(self) -> dict:
        return asdict(self)


def in_colab() -> bool:
    """True inside Google Colab (its kernel sets COLAB_RELEASE_TAG / COLAB_GPU)."""
    return "COLAB_RELEASE_TAG" in os.environ or "COLAB_GPU" in os.environ


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cuda_bf16(device: int = 0) -> bool:
    """Does this GPU compute bfloat16 natively (compute capability 8.0+, Ampere and newer)?

    Not `torch.cuda.is_bf16_supported()`: by default it also counts emulation and answers True
    on a T4 (7.5), where bf16 runs through slow emulated paths or fails inside bitsandbytes and
    Trainer. Only native support may pick bf16 for the 4-bit compute dtype and Trainer's `bf16`.
    """
    import torch

    major, _ = torch.cuda.get_device_capability(device)
    return major >= 8


def detect() -> Hardware:
    """Detect the compute device (first CUDA GPU if any, else CPU)."""
    import torch

    threads = torch.get_num_threads()
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        return Hardware(
            device="cuda", name=props.name, total_memory=props.total_memory,
            bf16=cuda_bf16(), cpu_threads=threads, in_colab=in_colab(),
            extra={"capability": f"{props.major}.{props.minor}", "cuda": torch.version.cuda},
        )
    return Hardware(device="cpu", name=_cpu_name(), total_memory=None, bf16=False,
                    cpu_threads=threads, in_colab=in_colab())


def compute_dtype(hw: Hardware | None = None):
    """The dtype to compute in on this hardware (see the module docstring for why)."""
    import torch

    hw = hw or detect()
    if hw.device != "cuda":
        return torch.float32
    return torch.bfloat16 if hw.bf16 else torch.float16


def package_versions(names: tuple[str, ...] = KIT_PACKAGES) -> dict[str, str]:
    """Installed versions of the kit's packages ("missing" when not installed)."""
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


# bitsandbytes >= 0.49 on a CPU with AVX512-BF16 tries, at import, to download a faster 4-bit
# kernel from the hub ("kernels-community"). Offline, or with the hub's trust check failing, it
# logs "Failed to load CPU gemm_4bit_forward …" and falls back to its own kernel: same results,
# a little slower. Learners read that line as an error, so the notebooks hide exactly it.
_KERNEL_NOTICE = "Failed to load CPU gemm_4bit_forward from kernels-community"


class _KernelNoticeFilter(logging.Filter):
    """Drops bitsandbytes' kernel-download notice; every other record passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_KERNEL_NOTICE)


def quiet_bitsandbytes_kernel_notice() -> None:
    """Hide the harmless kernel-download notice; call before bitsandbytes is first imported.

    A filter on the named logger works before the module exists: bitsandbytes' own
    `logging.getLogger(__name__)` returns this same logger object. Safe to call repeatedly.
    """
    log = logging.getLogger("bitsandbytes.backends.cpu.ops")
    if not any(isinstance(f, _KernelNoticeFilter) for f in log.filters):
        log.addFilter(_KernelNoticeFilter())


def bitsandbytes_status() -> str:
    """One line saying whether 4-bit loading will work here, and what to do if not.

    The classic failure is "CUDA setup failed" deep inside a training run; checking up front
    turns it into a sentence in notebook 00.
    """
    quiet_bitsandbytes_kernel_notice()
    try:
        import bitsandbytes as bnb  # noqa: F401
    except Exception as exc:  # ImportError, or a broken CUDA setup raising at import
        return (f"bitsandbytes cannot be imported ({type(exc).__name__}: {exc}). 4-bit (QLoRA) "
                "loading will fail; install `bitsandbytes>=0.50` or load the model in full "
                "precision (quant='none').")
    version = importlib.metadata.version("bitsandbytes")
    return f"bitsandbytes {version} imported: 4-bit NF4 loading available."


def gpu_and_hub_available() -> bool:
    """Should the notebooks default to a real hub model instead of the bundled micro model?

    Only when a CUDA GPU is present (on CPU, a 360M model is too slow to teach with) and the
    hub is not switched off (HF_HUB_OFFLINE=1). The network is only probed when there is a GPU.
    """
    import torch

    return torch.cuda.is_available() and hub_reachable()


def hub_reachable(timeout: float = 3.0) -> bool:
    """Can we open a connection to the hub (HF_ENDPOINT, e.g. a mirror, or huggingface.co)?

    Asked before a download so that an offline machine gets its answer in seconds: without it,
    huggingface_hub retries five times with back-off (~25 s per file) before giving up.
    HF_HUB_OFFLINE=1 means no, without touching the network.
    """
    import socket
    from urllib.parse import urlparse

    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return False
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (80 if url.scheme == "http" else 443)
    try:
        with socket.create_connection((url.hostname or "huggingface.co", port), timeout=timeout):
            return True
    except OSError:
        return False
