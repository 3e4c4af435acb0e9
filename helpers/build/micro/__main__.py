"""Command line: `python -m helpers.build.micro {corpus,pretrain} ...`.

  python -m helpers.build.micro corpus --n 5                   # print five documents
  python -m helpers.build.micro corpus --n 1000 --out c.jsonl   # write them as JSONL
  python -m helpers.build.micro pretrain --out /tmp/micro --steps 50 --n-documents 2000
  python -m helpers.build.micro card data/models/micro-llama  # re-render README.md from its metrics
  python -m helpers.build.micro probe data/models/micro-llama --out probe.json  # copy probe + base check
  python -m helpers.build.micro heldout data/models/micro-llama  # heldout_sample.jsonl (notebook 01)
  python -m helpers.build.micro untrained data/models/micro-llama  # untrained_tokens.json (SFT)
  python -m helpers.build.micro checkpoint runs/x --like data/models/micro-llama --out runs/x-half
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from helpers.build.micro.corpus import CorpusConfig
from helpers.build.micro.model import MicroModelConfig
from helpers.build.micro.pretrain import PretrainConfig
from helpers.paths import display_path
from helpers.tokenizer import TokenizerConfig

# (flag, attribute path in PretrainConfig, type) — one table drives parsing and the
# reproduce command, so the command in the data card always names every setting used.
_FLAGS = (
    ("--seed", "seed", int), ("--steps", "steps", int), ("--batch-size", "batch_size", int),
    ("--seq-len", "seq_len", int), ("--lr", "lr", float), ("--warmup-steps", "warmup_steps", int),
    ("--eval-every", "eval_every", int), ("--threads", "threads", int),
    ("--n-documents", "corpus.n_documents", int), ("--vocab-size", "tokenizer.vocab_size", int),
    ("--hidden-size", "model.hidden_size", int), ("--layers", "model.num_hidden_layers", int),
    ("--heads", "model.num_attention_heads", int), ("--kv-heads", "model.num_key_value_heads", int),
    ("--intermediate-size", "model.intermediate_size", int),
    ("--checkpoint-every", "checkpoint_every", int),
    ("--recall-weight", "corpus.recall_weight", float), ("--init-from", "init_from", str),
    ("--lexicon-weight", "corpus.lexicon_weight", float), ("--lexicon-pool", "corpus.lexicon_pool", str),
    ("--dialogue-weight", "corpus.dialogue_weight", float),
    ("--name-list-weight", "corpus.name_list_weight", float),
    ("--spelling-weight", "corpus.spelling_weight", float),
    ("--goods-weight", "corpus.goods_weight", float),
)


def _get(config: PretrainConfig, path: str):
    obj = config
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _set(config: PretrainConfig, path: str, value) -> None:
    *parents, last = path.split(".")
    obj = config
    for part in parents:
        obj = getattr(obj, part)
    setattr(obj, last, value)


def config_from_args(args: argparse.Namespace) -> PretrainConfig:
    """PretrainConfig from parsed `pretrain` arguments (unset flags keep the defaults)."""
    config = PretrainConfig(out_dir=Path(args.out), corpus=CorpusConfig(),
                            model=MicroModelConfig(), tokenizer=TokenizerConfig())
    for flag, path, _ in _FLAGS:
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is not None:
            _set(config, path, value)
    config.corpus.seed = config.seed
    config.bf16_autocast = args.bf16
    config.resume = args.resume
    config.stop_after = args.stop_after
    config.fresh_rows = args.fresh_rows
    return config


def reproduce_command(config: PretrainConfig) -> str:
    """The exact shell command that makes this config (out path relative to the repo if inside)."""
    shown = display_path(Path(config.out_dir).resolve())  # resolved first: from the current folder
    parts = ["python", "-m", "helpers.build.micro", "pretrain", "--out", shown]
    for flag, path, _ in _FLAGS:
        if _get(config, path) is not None:
            parts += [flag, str(_get(config, path))]
    if config.bf16_autocast:
        parts.append("--bf16")
    if config.fresh_rows:
        parts.append("--fresh-rows")
    return shlex.join(parts)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m helpers.build.micro", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus", help="print or write the generated pretraining corpus")
    c.add_argument("--n", type=int, default=5, help="number of documents")
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--out", help="write JSONL here instead of printing")
    t = sub.add_parser("pretrain", help="generate corpus, train tokenizer and model, write card")
    t.add_argument("--out", required=True, help="model folder to write")
    for flag, _, typ in _FLAGS:
        t.add_argument(flag, type=typ, default=None)
    t.add_argument("--bf16", action="store_true",
                   help="bf16 autocast: only on CPUs with native bf16, else ~25x slower")
    t.add_argument("--resume", action="store_true",
                   help="continue from <out>/checkpoint (same settings) instead of step 0")
    t.add_argument("--fresh-rows", action="store_true",
                   help="with --init-from: redraw the embedding rows of words the new corpus "
                        "puts into sentences first (helpers/build/micro/fresh_rows.py)")
    t.add_argument("--stop-after", type=int, default=None,
                   help="pause after this step with a checkpoint; continue later with --resume")
    k = sub.add_parser("card", help="re-write a model folder's README.md from its metrics JSON")
    k.add_argument("model_dir", help="folder holding pretrain_metrics.json")
    k.add_argument("--coverage", action="store_true",
                   help="first measure the answer-token coverage of the last stage's corpus "
                        "(for a run made before the card reported it)")
    h = sub.add_parser("heldout", help="write <model_dir>/heldout_sample.jsonl: the first N "
                       "held-out corpus documents (read by helpers.data.heldout_texts)")
    h.add_argument("model_dir", help="folder holding pretrain_metrics.json")
    h.add_argument("--n", type=int, default=64, help="documents to write (default 64)")
    u = sub.add_parser("untrained", help="write <model_dir>/untrained_tokens.json: the token "
                       "ids its pretraining corpus never contains (helpers.untrained_tokens)")
    u.add_argument("model_dir", help="folder holding pretrain_metrics.json")
    u.add_argument("--list-only", action="store_true",
                   help="also list the ids the corpus holds only in word lists (their rows "
                        "drift to one vector; the bundled model's list since stage 9)")
    x = sub.add_parser("checkpoint", help="write a paused run's checkpoint as a model folder "
                       "(to probe or sweep a run half-way)")
    x.add_argument("run_dir", help="the --out folder of the pretraining run")
    x.add_argument("--like", required=True, help="the model folder the run continues from "
                   "(--init-from): its config and tokenizer are copied")
    x.add_argument("--out", required=True, help="model folder to write")
    b = sub.add_parser("probe", help="copy probe, question probe, embedding similarity and "
                       "base-model check of any model folder")
    b.add_argument("model_dir", help="a model folder (or hub id) that Auto* classes load")
    b.add_argument("--out", help="also write the results (with every prompt) as JSON here")
    b.add_argument("--label", help="name recorded for the model in the JSON (default: the path)")
    return p


def _probe(model_dir: str, out: str | None, label: str | None) -> int:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from helpers.entity_probe import embedding_similarity, run_question_probe
    from helpers.io import file_sha256, write_json
    from helpers.probe import run_base_check, run_copy_probe

    model = AutoModelForCausalLM.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    weights = Path(model_dir) / "model.safetensors"  # which weights: a retrained model is another
    result = {"model": label or model_dir,
              "weights_sha256": file_sha256(weights) if weights.is_file() else None,
              "copy_probe": run_copy_probe(model, tokenizer),
              "question_probe": run_question_probe(model, tokenizer),
              "embedding_similarity": embedding_similarity(model, tokenizer),
              "base_check": run_base_check(model, tokenizer)}
    print(f"copy probe: {result['copy_probe']['score']:.0%} of {result['copy_probe']['n']}; "
          f"question probe: {result['question_probe']['by_kind']}; "
          f"instruction prompts answered as plain text: "
          f"{result['base_check']['answered_share']:.0%} of {result['base_check']['n']}")
    print("mean pairwise cosine of input embeddings: " + ", ".join(
        f"{k} {v['mean_cosine']:.2f}" for k, v in result["embedding_similarity"].items()))
    if out:
        print(f"wrote {write_json(result, out)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.cmd == "corpus":
        from helpers.build.micro.corpus import generate_corpus, write_corpus

        docs = generate_corpus(CorpusConfig(seed=args.seed, n_documents=args.n))
        if args.out:
            print(f"wrote {len(docs)} documents to {write_corpus(docs, args.out)}")
        else:
            print("\n\n<|endoftext|>\n\n".join(docs))
        return 0
    if args.cmd == "heldout":
        from helpers.build.micro.corpus import write_heldout_sample

        path = write_heldout_sample(args.model_dir, args.n)
        print(f"wrote {args.n} held-out documents to {display_path(path)}")
        return 0
    if args.cmd == "untrained":
        from helpers.build.micro.vocab import write_untrained_tokens

        path, n, vocab = write_untrained_tokens(args.model_dir, args.list_only)
        where = " or only in its word lists" if args.list_only else ""
        print(f"wrote {display_path(path)}: {n} of {vocab} token ids never in the corpus{where}")
        return 0
    if args.cmd == "probe":
        return _probe(args.model_dir, args.out, args.label)
    if args.cmd == "checkpoint":
        from helpers.build.micro.checkpoint import checkpoint_to_model

        path, step = checkpoint_to_model(args.run_dir, args.like, args.out)
        print(f"wrote the weights of step {step} to {display_path(path)}")
        return 0
    if args.cmd == "card":
        from helpers.build.micro.data_card import add_token_coverage, rewrite_card

        if args.coverage:
            print(f"answer token coverage: {add_token_coverage(args.model_dir)}")
        print(f"wrote {rewrite_card(args.model_dir)}")
        return 0
    from helpers.build.micro.pretrain_pipeline import run_pretraining

    config = config_from_args(args)
    run_pretraining(config, reproduce_command(config), log=lambda s: print(s, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
