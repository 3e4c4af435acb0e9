"""One pretraining run end to end: corpus -> tokenizer -> model -> metrics -> data card.

Every number the data card states is measured here and written to `pretrain_metrics.json`
first; `data_card.py` only formats that file. Re-running the command in the card regenerates both.
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

from helpers.build.micro.data_card import METRICS_FILE
from helpers.build.micro.pretrain import PretrainConfig, train_loop
from helpers.io import write_json

CURVE_FILE = "loss_curve.json"

# Prompts shown in the data card: three instructions, which a *base* model continues as the
# start of a document instead of answering (the behaviour instruction tuning changes), and one
# opening in the corpus's own style, which it continues fluently.
PROBE_PROMPTS = (
    "What is the first item in this list?\n\ndog, milk, candle",
    "Which day comes after Monday?",
    "Reverse the word lamp.",
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
    """Generate and check the corpus, train the tokenizer, pack train/held-out blocks.
    Returns (tokenizer, blocks, stats, training documents)."""
    from helpers.build.micro.checks import assert_clean_corpus
    from helpers.build.micro.corpus import generate_corpus, split_corpus
    from helpers.build.micro.vocab import tokenizer_extra_texts
    from helpers.tokenizer import train_bpe_tokenizer

    docs = generate_corpus(config.corpus)
    assert_clean_corpus(docs, domain_terms())
    split = split_corpus(docs, config.corpus.heldout_fraction)
    if config.init_from:  # continued pretraining: the model's own tokenizer, unchanged
        from transformers import AutoTokenizer

        return (*_pack(AutoTokenizer.from_pretrained(config.init_from), split, config, log),
                split.train)
    # The tokenizer also reads the domain's and the instruction suite's word lists (vocabulary,
    # no facts) so their words are whole tokens; the model itself trains on the corpus only.
    tokenizer = train_bpe_tokenizer(split.train + tokenizer_extra_texts(config.seed),
                                    config.tokenizer)
    return (*_pack(tokenizer, split, config, log), split.train)


def _pack(tokenizer, split, config: PretrainConfig, log: Callable[[str], None]):
    from helpers.build.micro.tokens import encode_documents, pack
    from helpers.build.micro.vocab import answer_token_coverage

    train_stream = encode_documents(tokenizer, split.train)
    heldout_stream = encode_documents(tokenizer, split.heldout)
    stats = {
        "documents_train": len(split.train), "documents_heldout": len(split.heldout),
        "corpus_chars_train": sum(map(len, split.train)),
        "corpus_tokens_train": len(train_stream), "corpus_tokens_heldout": len(heldout_stream),
        "tokenizer_vocab": len(tokenizer),
        "answer_token_coverage": answer_token_coverage(tokenizer, train_stream),
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


def _continue_from(model, config: PretrainConfig, log: Callable[[str], None]) -> dict:
    """Load the weights of `config.init_from` into `model`; return that run's metrics."""
    import json

    from transformers import AutoModelForCausalLM

    source = Path(config.init_from)
    model.load_state_dict(AutoModelForCausalLM.from_pretrained(source).state_dict())
    log(f"continuing pretraining from {config.init_from}")
    return json.loads((source / METRICS_FILE).read_text(encoding="utf-8"))


def _stage(m: dict) -> dict[str, Any]:
    """One pretraining stage as the card lists it."""
    return {"command": m["command"], "tokens": m["tokens_seen"], "train_seconds": m["train_seconds"],
            "recall_weight": m["config"]["corpus"].get("recall_weight"),
            "lexicon_weight": m["config"]["corpus"].get("lexicon_weight", 0.0),
            "copy_probe": m.get("copy_probe", {}).get("trained")}


def base_model_checks(model, tokenizer, copy_untrained: float) -> dict[str, Any]:
    """The card's checks: copy probe (vs untrained), base check, token coverage of the data."""
    from helpers.build.micro.vocab import dataset_token_stats, vocabulary_position_check
    from helpers.probe import run_base_check, run_copy_probe

    copy = run_copy_probe(model, tokenizer)
    base = run_base_check(model, tokenizer)
    return {
        "copy_probe": {"trained": copy["score"], "untrained": copy_untrained, "n": copy["n"],
                       "examples": copy["rows"][:: max(1, copy["n"] // 5)]},
        "base_check": {"answered_share": base["answered_share"], "n": base["n"],
                       "examples": base["rows"][:3]},
        "token_stats": dataset_token_stats(tokenizer),
        "position_dependent_words": vocabulary_position_check(tokenizer),
    }


def run_pretraining(config: PretrainConfig, command: str,
                    log: Callable[[str], None] = print) -> dict[str, Any]:
    """Do the whole run and write the model folder; return the metrics dict."""
    import torch

    from helpers.build.micro.data_card import plot_loss_curve, write_data_card
    from helpers.build.micro.model import build_generation_config, build_model, count_parameters
    from helpers.build.micro.tokens import mean_loss
    from helpers.probe import run_copy_probe

    if config.fresh_rows and not config.init_from:
        raise ValueError("fresh_rows (--fresh-rows) redraws rows of the model that pretraining "
                         "continues from: give init_from (--init-from) too")
    t_start = time.perf_counter()
    config = copy.deepcopy(config)  # sizes are filled in below; leave the caller's config alone
    torch.set_num_threads(config.threads)
    config.tokenizer.model_max_length = config.model.max_position_embeddings
    tokenizer, blocks, stats, docs = prepare_data(config, log)
    # The micro world has only a few thousand distinct words, so BPE may stop short of the
    # requested vocabulary; size the embedding to what the tokenizer has (rounded up to 64,
    # a friendly shape for matmul kernels) instead of carrying unused rows.
    config.model.vocab_size = -(-len(tokenizer) // 64) * 64
    model = build_model(config.model, tokenizer, config.seed)
    model.generation_config = build_generation_config(tokenizer)
    untrained = mean_loss(model, blocks["final"], config.batch_size, config.bf16_autocast)
    log(f"untrained held-out loss {untrained:.3f} (ppl {math.exp(untrained):.1f})")
    copy_untrained = run_copy_probe(model, tokenizer)["score"]
    previous = _continue_from(model, config, log) if config.init_from else None
    fresh = None
    if config.fresh_rows:  # before training: a resumed run's checkpoint then overrides it
        from helpers.build.micro.fresh_rows import refresh_newcomers

        fresh = refresh_newcomers(model, tokenizer, config.init_from, docs, config.seed, log)
    t_train = time.perf_counter()
    history = train_loop(model, blocks["train"], blocks["eval"], config, log)
    train_points = [h for h in history if "train_loss" in h]
    if not train_points or train_points[-1]["step"] < config.steps:
        return {"paused_at_step": train_points[-1]["step"] if train_points else 0}
    # Training time summed over every session of a resumed run, read from the curve.
    train_s = train_points[-1]["elapsed_s"]
    session_train_s = time.perf_counter() - t_train
    trained = mean_loss(model, blocks["final"], config.batch_size, config.bf16_autocast)
    log(f"trained held-out loss {trained:.3f} (ppl {math.exp(trained):.2f})")
    out = Path(config.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
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
        "tokens_per_parameter": round(config.steps * config.batch_size * config.seq_len
                                      / count_parameters(model), 2),
        "probes": probe(model, tokenizer),
        **base_model_checks(model, tokenizer, copy_untrained),
        "corpus": stats,
        **({"fresh_rows": fresh} if fresh else {}),
        "hardware": hardware_info(config.threads),
        "config": config.to_dict(),
    }
    write_json({"history": history}, out / CURVE_FILE)
    plot_loss_curve(history, out / "loss_curve.png")
    # Wall time of the whole run: this session's, with its training part replaced by the
    # training time of every session (a resumed run trains in several).
    metrics["wall_seconds"] = round(time.perf_counter() - t_start - session_train_s + train_s, 1)
    metrics["stages"] = [*(previous or {}).get("stages", [_stage(previous)] if previous else []),
                         _stage(metrics)]
    write_json(metrics, out / METRICS_FILE)
    write_data_card(metrics, out / "README.md")
    log(f"done in {metrics['wall_seconds']:.0f}s -> {out}")
    return metrics
