"""helpers.device: the hub probe that keeps an offline machine from waiting on retries."""

from __future__ import annotations

import socket

import pytest

from helpers import models
from helpers.config import ModelSettings
from helpers.device import hub_reachable


@pytest.fixture
def listening_port():
    """A local TCP port that accepts connections (stands in for a reachable hub mirror)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    yield server.getsockname()[1]
    server.close()


def test_hub_probe_follows_hf_endpoint(monkeypatch, listening_port):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{listening_port}")
    assert hub_reachable(timeout=2)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there any more
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    assert not hub_reachable(timeout=2)


def test_hf_hub_offline_means_unreachable_without_the_network(monkeypatch, listening_port):
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{listening_port}")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert not hub_reachable()


def test_unreachable_hub_fails_fast_with_the_next_step(monkeypatch, tmp_path):
    """Offline, an uncached hub id must not sit through huggingface_hub's ~25 s of retries."""
    import huggingface_hub.constants as hub_constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path))  # an empty cache
    with pytest.raises(models.ModelLoadError, match="not reachable.*not in the local cache"):
        models.load_base(ModelSettings(model="no/such-model-anywhere", quant="none"))



def test_unreachable_hub_still_loads_a_cached_model(monkeypatch, tmp_path):
    """Offline after an earlier download: the id resolves from the local hub cache."""
    import shutil

    from helpers.paths import MICRO_MODEL_DIR

    snapshot = tmp_path / "hub" / "models--tunelab--cached-micro" / "snapshots" / ("0" * 40)
    shutil.copytree(MICRO_MODEL_DIR, snapshot)
    (snapshot.parents[1] / "refs").mkdir()
    (snapshot.parents[1] / "refs" / "main").write_text("0" * 40)
    import huggingface_hub.constants as hub_constants

    # huggingface_hub reads its cache folder once, at import: point the constant there.
    monkeypatch.setattr(hub_constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model, tok = models.load_base(ModelSettings(model="tunelab/cached-micro", quant="none"))
    bundled, _ = models.load_base(ModelSettings(model=str(MICRO_MODEL_DIR), quant="none"))
    assert tok.name_or_path == "tunelab/cached-micro"
    assert all(a.equal(b) for a, b in zip(model.parameters(), bundled.parameters()))


def _simulate_gpu(monkeypatch, capability: tuple[int, int], name: str) -> None:
    """Make torch report one CUDA GPU of this compute capability (there is none here).

    is_bf16_supported answers True whatever the card, as torch does on a T4 by default: it
    counts emulation.
    """
    import types

    import torch

    props = types.SimpleNamespace(name=name, total_memory=16 * 2**30, major=capability[0],
                                  minor=capability[1])
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=0: props)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=0: capability)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=True: True)


@pytest.mark.parametrize("capability, name, expected", [
    ((7, 5), "Tesla T4", "float16"),  # emulated bf16 only: fp16 + loss scaling
    ((8, 0), "NVIDIA A100", "bfloat16"),
])
def test_bf16_only_on_gpus_that_compute_it_natively(monkeypatch, capability, name, expected):
    import torch

    from helpers.device import compute_dtype, detect

    _simulate_gpu(monkeypatch, capability, name)
    hw = detect()
    assert hw.bf16 is (expected == "bfloat16")
    assert compute_dtype(hw) == getattr(torch, expected)
    assert models.resolve_dtype("auto") == getattr(torch, expected)  # model and 4-bit dtype


def test_bitsandbytes_kernel_notice_is_hidden_and_nothing_else(caplog):
    """The offline kernel-download notice is dropped; any other bitsandbytes warning still shows."""
    import logging

    from helpers.device import quiet_bitsandbytes_kernel_notice

    quiet_bitsandbytes_kernel_notice()
    quiet_bitsandbytes_kernel_notice()  # idempotent: one filter, not two
    log = logging.getLogger("bitsandbytes.backends.cpu.ops")
    assert len(log.filters) == 1
    with caplog.at_level(logging.WARNING, logger=log.name):
        log.warning("Failed to load CPU gemm_4bit_forward from kernels-community: %s. Please "
                    "make sure you already `pip install kernels`", "offline")
        log.warning("some other bitsandbytes problem")
    assert [r.getMessage() for r in caplog.records] == ["some other bitsandbytes problem"]


@pytest.mark.slow  # starts a fresh interpreter
def test_loading_the_micro_model_prints_no_kernel_notice():
    """In a fresh interpreter, as a notebook does it: load_base, then look at stderr."""
    import subprocess
    import sys

    from helpers.paths import REPO_ROOT

    code = "from helpers.models import load_base; load_base('data/models/micro-llama')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=str(REPO_ROOT), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "gemm_4bit_forward" not in out.stderr
