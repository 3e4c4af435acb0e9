"""Byte-level BPE tokenizers and the kit's default ChatML chat template.

The micro base model's tokenizer is trained here (helpers.micro calls `train_bpe_tokenizer`), and
`CHATML_TEMPLATE` is the template helpers.chat installs on any tokenizer that has none or whose
template lacks `{% generation %}` markers.

Why the markers matter: transformers' `apply_chat_template(..., return_assistant_tokens_mask=True)`
marks exactly the characters rendered inside `{% generation %}…{% endgeneration %}`. Putting the
assistant text *and* its end-of-turn token inside the block means the loss is computed on the
answer and on the token that stops generation — the model learns to stop. (When pad == EOS and
padding is masked, EOS never gets a gradient and the model never stops: the classic bug.)

Why every message's content starts with one space: a byte-level BPE tokenizer marks a word
start with a leading space (`Ġblue`). Mid-sentence words always carry it, but the first word
after `assistant\n` would not, so "blue" as an answer became `b`,`l`,`ue` while the same word in
the question was the single token `Ġblue` — and copying a word from the input meant learning a
mapping the base model never saw (measured: instruction tuning of the micro model stalled at a
loss of ~4 nats/token). The space gives a turn's first word the same tokens it has mid-sentence
(SentencePiece tokenizers do the same with their "dummy prefix"). It sits inside the generation
block, so the inference prompt still ends exactly at `assistant\n`; `helpers.generate` strips it.

Why every newline is written as `'\n'` inside an expression: transformers renders templates
with Jinja's `trim_blocks`, which silently eats a literal newline that follows a block tag.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BOS_TOKEN = "<|endoftext|>"  # separates pretraining documents; never appears inside a chat
PAD_TOKEN = "<|pad|>"  # only ever padding: distinct from EOS so EOS is always trained
IM_START = "<|im_start|>"  # opens a chat turn
IM_END = "<|im_end|>"  # closes a chat turn; the EOS token generation stops on
SPECIAL_TOKENS = (BOS_TOKEN, PAD_TOKEN, IM_START, IM_END)

CHATML_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'assistant' -%}"
    "{{- '<|im_start|>assistant' + '\\n' -}}"
    "{%- generation -%}"
    "{{- ' ' + message['content'] + '<|im_end|>' -}}"
    "{%- endgeneration -%}"
    "{{- '\\n' -}}"
    "{%- else -%}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + ' ' + message['content'] + '<|im_end|>' + '\\n' -}}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{- '<|im_start|>assistant' + '\\n' -}}"
    "{%- endif -%}"
)


@dataclass
class TokenizerConfig:
    """How to train the byte-level BPE tokenizer of a micro model."""

    vocab_size: int = 4096  # small vocab keeps the embedding (and the model) small
    min_frequency: int = 2  # merges seen once are noise in a synthetic corpus
    model_max_length: int = 512  # the micro model's context; longer inputs are truncated


def train_bpe_tokenizer(texts: Iterable[str], config: TokenizerConfig | None = None):
    """Train a byte-level BPE tokenizer on `texts` and wrap it for transformers.

    Byte-level means every string is encodable (no unknown token), the same scheme GPT-2,
    Llama 3 and SmolLM use. The result saves with `save_pretrained` and reloads with
    `AutoTokenizer.from_pretrained` — no tunelab code needed to use it.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    config = config or TokenizerConfig()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=config.vocab_size,
        min_frequency=config.min_frequency,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,  # its progress bar goes to stdout and clutters notebooks/pipes
    )
    tok.train_from_iterator(texts, trainer)
    return wrap_tokenizer(tok, config.model_max_length)


def wrap_tokenizer(tok, model_max_length: int = 512):
    """Wrap a `tokenizers.Tokenizer` as a transformers fast tokenizer with the kit's specials."""
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=BOS_TOKEN,
        eos_token=IM_END,
        pad_token=PAD_TOKEN,
        model_max_length=model_max_length,
    )
    fast.chat_template = CHATML_TEMPLATE
    return fast
