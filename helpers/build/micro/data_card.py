"""The micro model's data card (README.md) and loss-curve plot, written from measured metrics.

Nothing here is typed by hand: every number comes from the metrics dict that `pretrain_pipeline.py` measured
and saved to pretrain_metrics.json, so the card cannot drift from the artefact
(tests/test_micro.py checks that it does not).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.io import atomic_write_text
from helpers.tables import markdown_table

METRICS_FILE = "pretrain_metrics.json"  # written by pretrain_pipeline.py; the card's only source of numbers


def plot_loss_curve(history: list[dict[str, float]], path: str | Path) -> Path:
    """Small PNG of train and held-out loss against tokens seen (well under 100 KB)."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed; safe in scripts, CI and notebooks alike
    import matplotlib.pyplot as plt

    train = [h for h in history if "train_loss" in h]
    per_step = train[-1]["tokens"] / train[-1]["step"] if train else 0
    held = [h for h in history if "heldout_loss" in h]
    fig, ax = plt.subplots(figsize=(5, 3), dpi=80)
    ax.plot([h["tokens"] / 1e6 for h in train], [h["train_loss"] for h in train], label="train")
    if held:
        ax.plot([h["step"] * per_step / 1e6 for h in held], [h["heldout_loss"] for h in held],
                "o-", markersize=3, label="held-out")
    ax.set_xlabel("tokens seen (millions)")
    ax.set_ylabel("loss (nats/token)")
    ax.set_title("micro-llama pretraining")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)


def card_numbers(m: dict[str, Any]) -> dict[str, str]:
    """The headline numbers exactly as the card prints them (tests look for these strings)."""
    return {
        "parameters": f"{m['parameters']:,}",
        "size_mb": f"{m['weights_bytes'] / 1e6:.1f} MB",
        "weights_bytes": f"{m['weights_bytes']:,} bytes",
        "tokens_seen": f"{total_tokens(m):,}",
        "ppl_trained": f"{m['heldout_ppl_trained']:.2f}",
        "ppl_untrained": f"{m['heldout_ppl_untrained']:.1f}",
        "final_train_loss": f"{m['final_train_loss']:.3f}",
        "wall_minutes": f"{_train_seconds(m) / 60:.1f}",
        "tokens_per_parameter": f"{total_tokens(m) / m['parameters']:.1f}",
        "copy_trained": _pct(m["copy_probe"]["trained"]),
        "copy_untrained": _pct(m["copy_probe"]["untrained"]),
        "base_answered": _pct(m["base_check"]["answered_share"]),
    }


def _stages(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Every pretraining stage of the model (one for a run from scratch)."""
    return m.get("stages") or [{"command": m["command"], "tokens": m["tokens_seen"],
                                "train_seconds": m["train_seconds"]}]


def total_tokens(m: dict[str, Any]) -> int:
    """Pretraining tokens over every stage."""
    return sum(s["tokens"] for s in _stages(m))


def _train_seconds(m: dict[str, Any]) -> float:
    return sum(s["train_seconds"] for s in _stages(m))


def _stage_lines(m: dict[str, Any]) -> str:
    lines = []
    for i, s in enumerate(_stages(m), 1):
        copy = "" if s.get("copy_probe") is None else f", copy probe after it {_pct(s['copy_probe'])}"
        lexicon = _lexicon_of(s) + _genres_of(s)
        lines.append(f"{i}. {s['tokens']:,} tokens in {s['train_seconds'] / 60:.1f} min"
                     f" (recall-genre weight {s.get('recall_weight') or 2.0:g}{lexicon}{copy}):\n"
                     f"   `{s['command']}`")
    return "\n".join(lines) + _before_fix_note(m)


def _flags(stage: dict[str, Any]) -> dict[str, str]:
    words = stage["command"].split()
    return dict(zip(words, words[1:]))


# Genre weights a stage's command line may set (the stage record predates them), as the card
# names them.
_GENRE_FLAGS = (("--dialogue-weight", "dialogue"), ("--name-list-weight", "roll-call"),
                ("--spelling-weight", "spelling"), ("--goods-weight", "goods"))


def _genres_of(stage: dict[str, Any]) -> str:
    """", dialogue weight W, roll-call weight V" for the genre flags the stage's command set."""
    flags = _flags(stage)
    weights = ((name, float(flags.get(flag, 0))) for flag, name in _GENRE_FLAGS)
    fresh = ", fresh rows for words new to sentences" if "--fresh-rows" in stage["command"].split() else ""
    return "".join(f", {name} weight {w:g}" for name, w in weights if w) + fresh


def _before_fix_note(m: dict[str, Any]) -> str:
    """Stages run before the dialogue genres also ran before a corpus fix: say how to redo them."""
    old = [i for i, s in enumerate(_stages(m), 1) if "--dialogue-weight" not in s["command"]]
    if not old:
        return ""
    return (f"\n\nStage(s) {', '.join(map(str, old))} ran before a fix in `recall._list_facts`: "
            "one sentence read \"There was a milk milk on it\" (the noun twice). Today's code "
            "writes it once, so to regenerate those corpora byte for byte, check out a commit "
            "from before 2026-12-07.")


def _lexicon_of(stage: dict[str, Any]) -> str:
    """", word-list weight W (pool P)" from the stage record, else from its command line."""
    flag = _flags(stage)
    weight = stage.get("lexicon_weight") or float(flag.get("--lexicon-weight", 0))
    if not weight:
        return ""
    pool = {"answers": "answer words only"}.get(flag.get("--lexicon-pool", "all"),
                                                "all domain and prompt words")
    return f", word-list weight {weight:g}, {pool}"


def _pct(share: float) -> str:
    return f"{100 * share:.0f}%"


def _architecture(cfg: dict[str, Any]) -> str:
    mc = cfg["model"]
    return (f"Llama (`LlamaForCausalLM`): hidden {mc['hidden_size']}, {mc['num_hidden_layers']} "
            f"layers, {mc['num_attention_heads']} attention heads ({mc['num_key_value_heads']} "
            f"key/value heads, grouped-query attention), SwiGLU MLP {mc['intermediate_size']}, "
            f"RoPE (theta {mc['rope_theta']:g}), context {mc['max_position_embeddings']} tokens, "
            f"vocabulary {mc['vocab_size']}, tied input/output embeddings, fp32 weights.")


def _threads(hw: dict[str, Any]) -> str:
    return f"{hw['torch_threads']} torch thread" + ("s" if hw["torch_threads"] != 1 else "")


def _how_made(m: dict[str, Any]) -> str:
    """The "How it was made" bullets: one line each, every number from the metrics."""
    cfg, hw, corpus = m["config"], m["hardware"], m["corpus"]
    return "\n".join((
        (f"- **Corpus**: {corpus['documents_train']:,} generated documents "
        f"({corpus['corpus_tokens_train']:,} tokens) from `helpers/build/micro/corpus.py`, seed "
        f"{cfg['corpus']['seed']}: descriptions, inventories, counting, comparisons, categories, "
        "sequences, weather, measurements and unit facts, record cards, short stories, diaries, "
        "letters, lists, timetables, dialogues and fables, and — about half the text — "
        "documents that introduce people, things and lists and refer back to them "
        "(`helpers/build/micro/recall.py`), so that predicting the next word needs the context"
        f"{_lexicon_sentence(cfg['corpus'])}{_genre_sentence(cfg['corpus'])}. "
        "Before training the corpus is checked against a denylist (chat markers, "
        "\"Question:/Answer:\" layouts, imperative task requests, hosting vocabulary outside "
        "a word list); a match stops the run."),
        (f"- **Tokenizer**: byte-level BPE with {corpus['tokenizer_vocab']} tokens (up to "
        f"{cfg['tokenizer']['vocab_size']} allowed), trained on the training documents plus word "
        "lists of the domain set and of the instruction suite's prompts (vocabulary only: no "
        "sentence, no fact). Every whitespace character and punctuation mark is a token of its "
        "own and digits are split one by one, so a word has the same ids wherever it stands "
        f"(checked on all {m['position_dependent_words']['words_checked']} world words: "
        f"{m['position_dependent_words']['position_dependent']} differ between a line start, "
        "after a space and after punctuation). Specials: `<|endoftext|>` (document separator, "
        "bos), `<|pad|>` (padding only), `<|im_start|>`, `<|im_end|>` (eos). Pad ≠ eos, so eos "
        "is always trained. ChatML chat template with `{% generation %}` markers "
        "(assistant-only loss masks)."),
        f"- **Architecture**: {_architecture(cfg)}",
        (f"- **Training**: plain PyTorch loop (`helpers/build/micro/pretrain.py`) on the CPU: packed "
        f"blocks of {cfg['seq_len']} tokens (documents joined by `<|endoftext|>`), batch "
        f"{cfg['batch_size']}, {cfg['steps']} steps, AdamW (peak lr {cfg['lr']:g}, "
        f"{cfg['warmup_steps']} warmup steps, cosine to {cfg['min_lr_ratio']:g}× the peak, weight "
        f"decay {cfg['weight_decay']:g}, gradient clip {cfg['grad_clip']:g}), bf16 autocast "
        f"{'on' if cfg['bf16_autocast'] else 'off'}. Training took {m['train_seconds']:.0f} s "
        f"with {_threads(hw)}; torch {hw['torch']}, transformers {hw['transformers']}, Python "
        f"{hw['python']}. Timings depend on the machine and on what else runs on it."),
        (f"- **Evaluation**: perplexity on {m['heldout_tokens']:,} tokens of held-out documents "
        "(none also in training), for the trained model and for the identical architecture at "
        "its random initialisation. Loss curve: `loss_curve.png`, `loss_curve.json`; every "
        "number on this card: `pretrain_metrics.json`."),
    ))


def _lexicon_sentence(corpus_cfg: dict[str, Any]) -> str:
    if not corpus_cfg.get("lexicon_weight"):
        return ""
    return ("; and word lists that are copied, reversed or sorted (`helpers/build/micro/lexicon.py`), "
            "which put the words of the domain set and of the instruction suite into the text, "
            "one hosting word at most per list and never in a sentence, so the model can say "
            "those words without having read any fact about the hosting company (before stage 4 "
            "the corpus never used most words the tokenizer knew from those lists, such as "
            "`Tempest` or `agent`: their embedding rows stayed at their random start, and LoRA "
            "fine-tuning, which leaves embeddings frozen, could not make the model say them)")


def _genre_sentence(corpus_cfg: dict[str, Any]) -> str:
    """The dialogue and roll-call genres, for a corpus that has them (stage 6 on)."""
    text = ""
    if corpus_cfg.get("dialogue_weight"):
        text += ("; conversations in which someone asks about what was just said and is answered "
                 f"in speech (`helpers/build/micro/dialogue.py`, weight {corpus_cfg['dialogue_weight']:g})")
    if corpus_cfg.get("name_list_weight"):
        text += ("; and roll calls, lists of people and towns that are read back (weight "
                 f"{corpus_cfg['name_list_weight']:g}): without them the model had learnt every "
                 "name and every town as nearly the same vector, so it could not tell which one "
                 "to copy (measured in `data/results/micro/`)")
    return text


def _coverage_lines(m: dict[str, Any]) -> str:
    """Answer token types the last stage's corpus never contains (their embeddings untrained)."""
    cov = m["corpus"].get("answer_token_coverage")
    if not cov:
        return ""
    parts = [f"{c['absent_from_corpus']} of {c['token_types']} token types of the "
             f"{name.replace('_', ' ')}" for name, c in cov.items()]
    text = ("\n\nAnswer tokens the last stage's corpus never contains (an embedding row that is "
            "never predicted stays random, and LoRA does not train embeddings): "
            + "; ".join(parts) + ".")
    rows = m["corpus"].get("untrained_tokens")
    if rows:
        words = ", ".join(f'"{w}"' for w in rows["in_domain_questions"])
        text += (f" In all, {rows['count']} of the {rows['vocab_size']} token ids never occur in "
                 f"it, among them these words of the domain questions: {words}. "
                 + _untrained_list_sentence(rows) +
                 "`LoraSettings(train_untrained_tokens=True)`, on in the cpu preset, trains those rows with "
                 "the adapter (measured in `data/results/sweep/README.md`).")
    return text


def _untrained_list_sentence(rows: dict[str, Any]) -> str:
    """Which ids `untrained_tokens.json` holds: the never-seen ones, and with `--list-only` also
    the ids the corpus holds only in word lists (their rows drift to one shared vector)."""
    if not rows.get("list_only"):
        return "`untrained_tokens.json` lists them (`python -m helpers.build.micro untrained`); "
    return (f"`untrained_tokens.json` lists them and the {rows['list_only']} ids the corpus holds "
            "only in word lists, whose rows drift to one shared vector "
            "(`python -m helpers.build.micro untrained --list-only`); ")


def _token_table(m: dict[str, Any]) -> str:
    rows = [[f"{name.replace('_', ' ')} (train split)", f"{st['tokens']:,}",
             _pct(st["single_char_share"]), _pct(st["single_letter_share"]),
             _pct(st["split_word_share"])] for name, st in m["token_stats"].items()]
    return markdown_table(["answers of", "tokens", "single-character tokens", "of them letters",
                           "words in pieces"], rows, align="lrrrr")


def _skills_table() -> str:
    from helpers.build.micro.recall import LETTER_LEVEL, SKILL_SHAPES

    rows = [[f"`{family}`" + (" *(letter-level)*" if family in LETTER_LEVEL else ""), shape]
            for family, shape in SKILL_SHAPES.items()]
    return markdown_table(["instruction family",
                           "where the corpus carries the skill (never as a request)"], rows)


def _copy_examples(m: dict[str, Any]) -> str:
    rows = [f"- `{r['prompt']}` → `{r['continuation'].strip()}` (expected `{r['expected']}`)"
            .replace("\n", "⏎") for r in m["copy_probe"]["examples"]]
    return "\n".join(rows)


def _probes(m: dict[str, Any]) -> str:
    rows = [f"- `{p['prompt']}` → `{p['continuation'].strip()}`".replace("\n", "⏎")
            for p in m["probes"]]
    return "\n".join(rows)


def render_card(m: dict[str, Any]) -> str:
    """The README.md text for metrics `m`."""
    from helpers.probe import PROBE_SEED

    n, hw = card_numbers(m), m["hardware"]
    return f"""---
license: apache-2.0
library_name: transformers
pipeline_tag: text-generation
tags: [tunelab, micro, base-model, synthetic-data]
---
# micro-llama — tunelab's bundled micro base model

A tiny **base** (pretrained-only) causal language model, shipped with tunelab so every lesson runs
offline on a CPU. It has only ever seen generated English about a small world of people, towns,
animals, objects and numbers. It has **never** seen an instruction, a chat turn or the hosting
domain of `helpers/domain` — so instruction tuning and domain SFT have something to teach it.

```python
from transformers import AutoModelForCausalLM, AutoTokenizer
model = AutoModelForCausalLM.from_pretrained("data/models/micro-llama")
tokenizer = AutoTokenizer.from_pretrained("data/models/micro-llama")
```

## At a glance
| | |
|---|---|
| parameters | {n['parameters']} |
| weights | `model.safetensors`, {n['size_mb']} ({n['weights_bytes']}) |
| pretraining tokens | {n['tokens_seen']} |
| final train loss | {n['final_train_loss']} nats/token |
| held-out perplexity, trained | {n['ppl_trained']} |
| held-out perplexity, same architecture untrained | {n['ppl_untrained']} |
| tokens per parameter | {n['tokens_per_parameter']} |
| copy probe ({m['copy_probe']['n']} prose prompts whose next word is in the context) | {n['copy_trained']} (untrained: {n['copy_untrained']}) |
| instruction prompts it answers correctly, as plain text ({m['base_check']['n']}) | {n['base_answered']} — a base model continues text |
| training time, all stages | {n['wall_minutes']} min; the last stage on {hw['cpu']}, {hw['cpu_count']} cores, {_threads(hw)} |
| license | Apache-2.0 (weights and generated training data) |

## How it was made
The bullets describe the last pretraining stage; every stage is listed under *Reproduce*.

{_how_made(m)}

## What a base model does with a prompt (greedy, measured by the script)
{_probes(m)}

A base model has never seen an instruction, so it treats one as the start of a document and
continues it in the style of its corpus: given {m['base_check']['n']} instruction-suite prompts
as plain text, its first line is the correct answer for {n['base_answered']} of them
(`helpers.probe.run_base_check`). Notebook 03 shows what instruction tuning changes.

## It reads its context: the copy probe
Prose prompts in the corpus's style (never an instruction) whose next word is already in the
prompt — who did it, the object again, the first or last of a list, a list on a line of its own
(`helpers.probe`, seed {PROBE_SEED}).
Entities are random, so guessing without reading the context is right about 1 time in 20–40.
Trained: **{n['copy_trained']}**; the same architecture untrained: {n['copy_untrained']}. Examples:
{_copy_examples(m)}

Instruction tuning can only unlock what pretraining put there. The corpus states the skill of
every instruction family, seen and held out, in passing:

{_skills_table()}

## Tokens: one word, one set of ids
{_token_table(m)}{_coverage_lines(m)}

Digits and punctuation are single characters by design; the column "of them letters" counts
words that fell apart (and "I", "a"). Letter-level answers (reversed or upper-case words) stay in
pieces on purpose: those families are the lesson on what a tokenizer hides from a model.

## Intended use and limits
For teaching and testing the fine-tuning pipeline offline: 4-bit loading, LoRA, chat templates,
training, merging, generation — the same code paths as a hub model. It knows only its micro
world's vocabulary and simple facts; it is not a useful general language model, knows no real
world facts, and must not be used for any real decision.

## Reproduce
{len(_stages(m))} stage(s), each command run in turn (a stage with `--init-from` continues the
weights and tokenizer of the folder it names).
Commands are shown as they were run. The builder now lives in `helpers.build.micro`;
`python -m helpers.micro` forwards to it, so both names run the same code.

{_stage_lines(m)}

Results vary slightly between machines (floating-point order, thread count); the corpus and
tokenizer are identical for the same seed. The run saves a checkpoint every
{m['config']['checkpoint_every']} steps in `<out>/checkpoint/`: add `--resume` to the command to
continue a stopped run (the result equals an uninterrupted run; tested), `--stop-after N` to
pause on purpose. Budget: {n['tokens_per_parameter']} tokens per parameter, below the ~20 that
compute-optimal recipes use: what this 2-core CPU allowed in one sitting. A longer run (more
`--steps`, or on a GPU) starts again from step 0, since the schedule depends on the total.
"""


def write_data_card(metrics: dict[str, Any], path: str | Path) -> Path:
    """Write README.md for the model folder from `metrics`."""
    return atomic_write_text(path, render_card(metrics))


def rewrite_card(model_dir: str | Path) -> Path:
    """Re-render `model_dir`/README.md from its pretrain_metrics.json (after editing this file's
    wording, without retraining)."""
    metrics_path = Path(model_dir) / METRICS_FILE
    if not metrics_path.is_file():
        raise FileNotFoundError(
            f"{metrics_path} not found; run `python -m helpers.build.micro pretrain --out {model_dir}` "
            "first — the card is written from that run's measured metrics."
        )
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    return write_data_card(metrics, Path(model_dir) / "README.md")


def add_token_coverage(model_dir: str | Path) -> dict:
    """Measure answer_token_coverage for a model folder whose run predates that measurement:
    rebuild the last stage's training corpus from its recorded config (the corpus is
    deterministic), count, and store the result in pretrain_metrics.json (stage and corpus).
    Also re-measures `token_stats` of the bundled answer sets, which change when data/domain or
    data/instructions is rebuilt (the tokenizer and corpus do not)."""
    from transformers import AutoTokenizer

    from helpers.build.micro.corpus import CorpusConfig, recorded_split
    from helpers.build.micro.tokens import encode_documents
    from helpers.build.micro.vocab import answer_token_coverage, dataset_token_stats
    from helpers.io import write_json

    metrics_path = Path(model_dir) / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    corpus = CorpusConfig(**metrics["config"]["corpus"])
    train = recorded_split(model_dir).train
    tok = AutoTokenizer.from_pretrained(model_dir)
    metrics["corpus"]["answer_token_coverage"] = answer_token_coverage(
        tok, encode_documents(tok, train))
    metrics["token_stats"] = dataset_token_stats(tok)
    if metrics.get("stages"):
        metrics["stages"][-1]["lexicon_weight"] = corpus.lexicon_weight
    write_json(metrics, metrics_path)
    return metrics["corpus"]["answer_token_coverage"]
