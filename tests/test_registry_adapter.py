"""A real run end to end: tiny random Llama + LoRA, a few real Trainer steps, the adapter saved
into the run folder (and copied from outside it), reloaded with plain peft from there."""

from __future__ import annotations

import json

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers import models, train
from helpers.config import LoraSettings, ModelSettings, RunConfig, TrainSettings
from helpers.registry import Gate, Registry, Run
from helpers.world import COLORS, OBJECTS, PEOPLE

pytestmark = pytest.mark.slow  # trains adapters and loads them in fresh processes (fast tier: pytest -m 'not slow')

RECORDS = [{"messages": [{"role": "user", "content": f"Which colour? {p} has a {c} {o}."},
                         {"role": "assistant", "content": c}], "id": f"r{i}"}
           for i, (p, c, o) in enumerate(zip(PEOPLE * 3, COLORS * 9, OBJECTS * 3))][:32]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    """A 1-layer random Llama and a small BPE tokenizer, saved like a hub model.

    64 wide, not less: on CPUs with AVX512-BF16, bitsandbytes (0.50) repacks 4-bit weights for
    inference in blocks of 64 input features and fails on a 32-wide layer ("shape '[32, 0]' is
    invalid"); every real model's layers are whole blocks."""
    texts = [f"{p} has a {c} {o}." for p in PEOPLE for c in COLORS for o in OBJECTS[:6]]
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-base"),
                           sentence_tokenizer(texts * 2, vocab_size=400), hidden_size=64,
                           intermediate_size=128, num_hidden_layers=1, num_attention_heads=2,
                           num_key_value_heads=1, max_position_embeddings=128)


def _logits(model, tok):
    ids = tok("Ana has a red kite.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits


def _train_tiny(tiny_base, tmp_path, quant: str, max_steps: int, learning_rate: float):
    """An "sft" LoRA adapter (r=4) trained on RECORDS: (run config, model in eval mode,
    tokenizer, TrainResult)."""
    cfg = RunConfig(ModelSettings(model=str(tiny_base), quant=quant),
                    LoraSettings(r=4, alpha=8, dropout=0.0),
                    TrainSettings(output_dir=str(tmp_path / "ckpt"), max_steps=max_steps,
                                  batch_size=8, learning_rate=learning_rate, eval_steps=0,
                                  save_steps=0, logging_steps=1, max_length=64, seed=0))
    model, tok = models.load_base(cfg.model)
    model = models.attach_lora(model, tok, cfg.lora, name="sft")
    result = train.train(model, tok, RECORDS, None, cfg.train)
    model.eval()
    return cfg, model, tok, result


def test_trained_adapter_lands_in_the_run_and_reloads_identically(tiny_base, tmp_path):
    from peft import PeftModel

    torch.set_num_threads(2)
    cfg, model, tok, result = _train_tiny(tiny_base, tmp_path, quant="none", max_steps=4,
                                          learning_rate=5e-3)

    root = tmp_path / "registry"
    run = Run.create(root, "tiny-sft", cfg, data={"train": RECORDS}, tags=["sft"])
    run.log_training(result)
    run.save_adapter(model, tok, "sft")
    run.finish({"domain_accuracy": 0.5, "final_train_loss": result.final_train_loss})

    assert [h["step"] for h in run.history if "loss" in h] == [1, 2, 3, 4]
    assert run.meta["training"]["steps"] == 4
    adapter = run.adapter_path
    assert {"adapter_config.json", "adapter_model.safetensors", "tunelab.json"} <= {
        p.name for p in adapter.iterdir()}
    assert "adapter/adapter_model.safetensors" in json.loads((run.dir / "COMPLETE").read_text())[
        "files"]
    assert json.loads((adapter / "tunelab.json").read_text())["run"] == "tiny-sft"

    # Another run gets the same adapter by copying a folder saved outside the registry.
    outside = models.save_adapter(model, tok, tmp_path / "saved-elsewhere", "sft")
    machine = str(tmp_path.parent)  # pytest's base temp folder: holds tiny_base and tmp_path
    assert str(tiny_base) in (outside / "adapter_config.json").read_text()  # absolute there...
    copy = Run.create(root, "tiny-sft-copy", cfg, data={"train": RECORDS}, tags=["sft"])
    copy.finish({"domain_accuracy": 0.5}, adapter_dir=outside)
    for folder in (run.dir, copy.dir):
        for path in folder.rglob("*.json"):
            assert machine not in path.read_text(), path  # ...but not in a run folder

    base, _ = models.load_base(ModelSettings(model=str(tiny_base), quant="none"))
    reloaded = PeftModel.from_pretrained(base, str(copy.adapter_path)).eval()
    assert torch.equal(_logits(reloaded, tok), _logits(model, tok))
    assert "## How to use" in (run.dir / "README.md").read_text()
    gate = Gate(thresholds={"domain_accuracy": ">=0.5"})
    assert Registry(root).promote("tiny-sft", "production", gate).passed


def test_card_snippet_of_a_4bit_run_loads_the_adapter_on_the_base_it_was_trained_on(tiny_base,
                                                                                     tmp_path):
    """Issue 14: the card's "How to use" loaded a QLoRA adapter onto the unquantized base, the
    path notebook 07 measured at 0.167 top-1 agreement. Run the snippet as a user would (a fresh
    Python in the registry folder) and compare its logits with the trained model's."""
    import re
    import subprocess
    import sys

    cfg, model, tok, _ = _train_tiny(tiny_base, tmp_path, quant="4bit", max_steps=3,
                                     learning_rate=5e-2)
    run = Run.create(tmp_path / "registry", "q-sft", cfg, data={"train": RECORDS})
    run.save_adapter(model, tok, "sft")
    run.finish({"domain_accuracy": 0.5})
    card = (run.dir / "README.md").read_text()
    snippet = re.search(r"```python\n(.*?)```", card.split("## How to use")[1], re.S).group(1)
    assert "quantization_config=bnb" in snippet
    # A base outside the repo is scrubbed from run files ("<external>/…"): the user's own path.
    snippet = snippet.replace("<external>", str(tiny_base.parent))
    probe = ('\nimport torch\nids = tokenizer("Ana has a red kite.", return_tensors="pt")'
             '["input_ids"]\nwith torch.no_grad():\n'
             '    torch.save(model.eval()(input_ids=ids).logits, "logits.pt")\n')
    # The mistake this test guards against: the same snippet on the unquantized base.
    wrong = snippet.replace(", quantization_config=bnb", "")
    for name, code in (("logits.pt", snippet), ("wrong.pt", wrong)):
        subprocess.run([sys.executable, "-c", code + probe.replace("logits.pt", name)],
                       cwd=tmp_path / "registry", check=True,
                       env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    theirs = torch.load(tmp_path / "registry" / "logits.pt")
    wrong_logits = torch.load(tmp_path / "registry" / "wrong.pt")
    # Not bit-equal: on CPUs with AVX512-BF16, bitsandbytes runs plain (no-grad, eval) 4-bit
    # inference through a bf16 kernel, while the trained model here ran the fp32 path (measured
    # max difference 0.015 on that hardware, 1e-5 without the instruction). So: far closer to
    # the trained model than the unquantized-base load is, and the same next token everywhere.
    ours = _logits(model, tok)
    near, far = (theirs - ours).abs().max(), (wrong_logits - ours).abs().max()
    assert near < far / 3, (near, far)
    assert torch.equal(theirs.argmax(-1), ours.argmax(-1))
