"""One pretraining run end to end: corpus -> tokenizer -> model -> metrics -> data card.

Every number the data card states is measured here and written to `pretrain_metrics.json`
first; `card.py` only formats that file. Re-running the command in the card regenerates both.
"""

from __future__ import annotations

import copy
import math
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers.io import write_json
from helpers.micro.card import METRICS_FILE
from helpers.micro.pretrain import PretrainConfig, train_loop

CURVE_FILE = "loss_curve.json"

# Prompts shown in the data card: an instruction-like prompt makes a *base* model continue the
# text (often with more of the same), not answer — the behaviour instruction tuning changes.
PROBE_PROMPTS = (
    "Reverse the word lamp.",
    "What colour is the sky?",
    "Once upon a time, in the town of Ashford,",
)


def domain_terms() -> tuple[str, ...]:
    """helpers.domain.DOMAIN_TERMS when that module provides it, else () (checked in tests)."""
    try:
        from helpers.domain import DOMAIN_TERMS
    except ImportError:
        return ()
    return tuple(DOMAIN_TERMS)


def prepare_data(config: PretrainConfig, log: Callable[[str], None] = print):
    """Generate and check the corpus, train the tokenizer, pack train/held-out blocks."""
    from helpers.micro.checks import assert_clean_corpus
    from helpers.micro.corpus import generate_corpus, split_corpus
    from helpers.micro.tokens import encode_documents, pack
    from helpers.tokenizer import train_bpe_tokenizer

    docs = generate_corpus(config.corpus)
    assert_clean_corpus(docs, domain_terms())
    split = split_corpus(docs, config.corpus.heldout_fraction)
    tokenizer = train_bpe_tokenizer(split.train, config.tokenizer)
    train_stream = encode_documents(tokenizer, split.train)
    heldout_stream = encode_documents(tokenizer, split.heldout)
    stats = {
        "documents_train": len(split.train), "documents_heldout": len(split.heldout),
        "corpus_chars_train": sum(map(len, split.train)),
        "corpus_tokens_train": len(train_stream), "corpus_tokens_heldout": len(heldout_stream),
        "tokenizer_vocab": len(tokenizer),
    }
    log(f"corpus: {stats}")
    blocks = {
        "train": pack(train_stream, config.seq_len),
        "eval": pack(heldout_stream, config.seq_len, config.eval_tokens),
        "final": pack(heldout_stream, config.seq_len, config.final_eval_tokens),
    }
    return tokenizer, blocks, stats


def hardware_info(threads: int) -> dict[str, Any]:
    """What the run was measured on: CPU model, core/thread counts, library versions."""
    import torch
    import transformers

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass  # not Linux: platform.processor() is the best we have
    return {
        "cpu": cpu, "cpu_count": os.cpu_count(), "torch_threads": threads,
        "python": platform.python_version(), "torch": torch.__version__,
        "transformers": transformers.__version__, "os": platform.system(),
    }


def probe(model, tokenizer, prompts=PROBE_PROMPTS, max_new_tokens: int = 32) -> list[dict]:
    """Greedy continuations of `prompts` (what a base model does with an instruction)."""
    import torch

    model.eval()
    out = []
    for prompt in prompts:
        ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            gen = model.generate(**ids, max_new_tokens=max_new_tokens, do_sample=False)
        new = gen[0, ids["input_ids"].shape[1]:]
        out.append({"prompt": prompt, "continuation": tokenizer.decode(new)})
    return out


def run_pretraining(config: PretrainConfig, command: str,
                    log: Callable[[str], None] = print) -> dict[str, Any]:
    """Do the whole run and write the model folder; return the metrics dict."""
    import torch

    from helpers.micro.card import plot_loss_curve, write_data_card
    from helpers.micro.model import build_generation_config, build_model, count_parameters
    from helpers.micro.tokens import mean_loss

    t_start = time.perf_counter()
    config = copy.deepcopy(config)  # sizes are filled in below; leave the caller's config alone
    torch.set_num_threads(config.threads)
    config.tokenizer.model_max_length = config.model.max_position_embeddings
    tokenizer, blocks, stats = prepare_data(config, log)
    # The micro world has only a few thousand distinct words, so BPE may stop short of the
    # requested vocabulary; size the embedding to what the tokenizer has (rounded up to 64,
    # a friendly shape for matmul kernels) instead of carrying unused rows.
    config.model.vocab_size = -(-len(tokenizer) // 64) * 64
    model = build_model(config.model, tokenizer, config.seed)
    model.generation_config = build_generation_config(tokenizer)
    untrained = mean_loss(model, blocks["final"], config.batch_size, config.bf16_autocast)
    log(f"untrained held-out loss {untrained:.3f} (ppl {math.exp(untrained):.1f})")
    t_train = time.perf_counter()
    history = train_loop(model, blocks["train"], blocks["eval"], config, log)
    train_s = time.perf_counter() - t_train
    trained = mean_loss(model, blocks["final"], config.batch_size, config.bf16_autocast)
    log(f"trained held-out loss {trained:.3f} (ppl {math.exp(trained):.2f})")
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    train_points = [h for h in history if "train_loss" in h]
    metrics = {
        "command": command,
        "parameters": count_parameters(model),
        "weights_file": "model.safetensors",
        "weights_bytes": (out / "model.safetensors").stat().st_size,
        "tokens_seen": config.steps * config.batch_size * config.seq_len,
        "train_seconds": round(train_s, 1),
        "final_train_loss": round(train_points[-1]["train_loss"], 4),
        "heldout_tokens": int(blocks["final"].numel()),
        "heldout_loss_trained": round(trained, 4),
        "heldout_loss_untrained": round(untrained, 4),
        "heldout_ppl_trained": round(math.exp(trained), 3),
        "heldout_ppl_untrained": round(math.exp(untrained), 1),
        "probes": probe(model, tokenizer),
        "corpus": stats,
        "hardware": hardware_info(config.threads),
        "config": config.to_dict(),
    }
    write_json({"history": history}, out / CURVE_FILE)
    plot_loss_curve(history, out / "loss_curve.png")
    metrics["wall_seconds"] = round(time.perf_counter() - t_start, 1)
    write_json(metrics, out / METRICS_FILE)
    write_data_card(metrics, out / "README.md")
    log(f"done in {metrics['wall_seconds']:.0f}s -> {out}")
    return metrics
