"""Generation with the stop reason made visible.

Every answer comes back with *why* it stopped: "eos" (the model ended its turn) or "length"
(it hit max_new_tokens). A model that always stops on "length" is the signature of the
pad == EOS bug, or of an adapter that never learned to end its turn.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class GenerationSettings:
    """Decoding settings (greedy by default: evaluation must be deterministic)."""

    max_new_tokens: int = 48  # answers in the micro world are short; raise for real models
    do_sample: bool = False  # False = greedy; True = sample with temperature/top_p
    temperature: float = 0.7  # only used when sampling; lower = more conservative
    top_p: float = 0.9  # only used when sampling; nucleus size
    seed: int = 0  # sampling seed, so a sampled comparison can be repeated
    repetition_penalty: float = 1.0  # >1 discourages loops; 1.0 shows the model as it is


@dataclass
class Generation:
    """One generated answer."""

    text: str  # decoded new tokens (special tokens removed)
    stop_reason: str  # "eos" or "length"
    new_tokens: int  # tokens generated (including the EOS token, if any)
    seconds: float  # wall time for this answer (shared time / batch size in batches)

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else 0.0


def eos_ids(model, tokenizer) -> list[int]:
    """Every token id that ends generation (tokenizer EOS + the model's generation config)."""
    ids = {tokenizer.eos_token_id}
    cfg = getattr(model, "generation_config", None)
    extra = getattr(cfg, "eos_token_id", None) if cfg is not None else None
    ids.update(extra if isinstance(extra, list) else [extra])
    return sorted(i for i in ids if i is not None)


def _gen_kwargs(model, tokenizer, s: GenerationSettings) -> dict:
    kw = {"max_new_tokens": s.max_new_tokens, "do_sample": s.do_sample,
          "eos_token_id": eos_ids(model, tokenizer), "pad_token_id": tokenizer.pad_token_id,
          "repetition_penalty": s.repetition_penalty}
    if s.do_sample:
        kw.update(temperature=s.temperature, top_p=s.top_p)
    else:  # silence "temperature is set but do_sample=False" from model generation configs
        kw.update(temperature=None, top_p=None, top_k=None)
    return kw


def prompt_ids(tokenizer, prompt) -> list[int]:
    """Chat messages → the inference prompt ids; a plain string → raw text (base models)."""
    if isinstance(prompt, str):
        return tokenizer(prompt, add_special_tokens=False)["input_ids"]
    from helpers.chat import encode_prompt

    return encode_prompt(tokenizer, prompt)


def _finish(tokenizer, new_ids: list[int], stops: list[int], max_new: int, secs: float):
    cut = next((i for i, t in enumerate(new_ids) if t in stops), None)
    kept = new_ids if cut is None else new_ids[: cut + 1]
    reason = "eos" if cut is not None else "length"
    text = tokenizer.decode(kept, skip_special_tokens=True).strip()
    return Generation(text=text, stop_reason=reason, new_tokens=len(kept), seconds=secs)


def generate_batch(model, tokenizer, prompts: list, settings: GenerationSettings | None = None,
                   batch_size: int = 16) -> list[Generation]:
    """Generate for many prompts (chat messages or raw strings), left-padded in batches."""
    import torch

    settings = settings or GenerationSettings()
    stops = eos_ids(model, tokenizer)
    out: list[Generation] = []
    model.eval()
    for start in range(0, len(prompts), batch_size):
        chunk = [prompt_ids(tokenizer, p) for p in prompts[start:start + batch_size]]
        width = max(len(c) for c in chunk)
        pad = tokenizer.pad_token_id
        ids = torch.tensor([[pad] * (width - len(c)) + c for c in chunk])
        mask = torch.tensor([[0] * (width - len(c)) + [1] * len(c) for c in chunk])
        torch.manual_seed(settings.seed)
        t0 = time.perf_counter()
        with torch.no_grad():
            gen = model.generate(input_ids=ids.to(model.device), attention_mask=mask.to(model.device),
                                 **_gen_kwargs(model, tokenizer, settings))
        secs = (time.perf_counter() - t0) / len(chunk)
        for row in gen[:, width:].tolist():
            out.append(_finish(tokenizer, row, stops, settings.max_new_tokens, secs))
    return out


def generate(model, tokenizer, prompt, settings: GenerationSettings | None = None) -> Generation:
    """Generate one answer for chat messages (or a raw string for base-model continuation)."""
    return generate_batch(model, tokenizer, [prompt], settings, batch_size=1)[0]


class GenerationError(RuntimeError):
    """Generation failed or stalled in its worker thread; the message says what to do."""


STREAM_TIMEOUT_S = 300.0  # longest wait for one piece: far above a CPU's first token


def stream(model, tokenizer, prompt, settings: GenerationSettings | None = None,
           timeout: float | None = STREAM_TIMEOUT_S) -> Iterator[str | Generation]:
    """Yield text pieces as they are generated, then the final Generation (with stop reason).

    Runs `model.generate` in a background thread with transformers' TextIteratorStreamer —
    the same mechanism chat UIs use — so a widget can update its column token by token. If the
    thread raises (CUDA out of memory, say), that error is raised here as a GenerationError;
    if no piece arrives within `timeout` seconds, so is that. Without both, a dead thread left
    the reader (and a widget's Generate button) waiting forever.
    """
    import queue
    import threading

    import torch
    from transformers import TextIteratorStreamer

    settings = settings or GenerationSettings()
    ids = torch.tensor([prompt_ids(tokenizer, prompt)], device=model.device)
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True,
                                    timeout=timeout)
    result: dict = {}

    def run():
        try:
            torch.manual_seed(settings.seed)
            with torch.no_grad():
                result["ids"] = model.generate(
                    input_ids=ids, attention_mask=torch.ones_like(ids), streamer=streamer,
                    **_gen_kwargs(model, tokenizer, settings))
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread below
            result["error"] = exc
            streamer.end()  # wake the reader: generate died before it could signal the end

    t0 = time.perf_counter()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield from (piece for piece in streamer if piece)
    except queue.Empty:
        raise GenerationError(
            f"no new text from model.generate for {timeout:g} s: generation is stuck or far "
            "slower than expected. Lower max_new_tokens, or pass a larger timeout to "
            "helpers.generate.stream.") from None
    thread.join()
    if "error" in result:
        exc = result["error"]
        raise GenerationError(
            f"generation failed in its worker thread: {type(exc).__name__}: {exc}. If the GPU "
            "ran out of memory, lower max_new_tokens or free memory (del unused models, then "
            "torch.cuda.empty_cache()) and try again.") from exc
    new = result["ids"][0, ids.shape[1]:].tolist()
    yield _finish(tokenizer, new, eos_ids(model, tokenizer), settings.max_new_tokens,
                  time.perf_counter() - t0)
