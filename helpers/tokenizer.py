"""Byte-level BPE tokenizers and the kit's default ChatML chat template.

The micro base model's tokenizer is trained here (helpers.build.micro calls `train_bpe_tokenizer`), and
`CHATML_TEMPLATE` is the template helpers.chat installs on a tokenizer that has none at all (a
template without `{% generation %}` markers is kept and masked by rendering prefixes).

Why the markers matter: transformers' `apply_chat_template(..., return_assistant_tokens_mask=True)`
marks exactly the characters rendered inside `{% generation %}…{% endgeneration %}`. Putting the
assistant text *and* its end-of-turn token inside the block means the loss is computed on the
answer and on the token that stops generation — the model learns to stop. (When pad == EOS and
padding is masked, EOS never gets a gradient and the model never stops: the classic bug.)

Why whitespace and punctuation are tokens of their own: byte-level BPE as GPT-2 trains it
glues a word's leading space into the word (`Ġdog`), so the same word is `dog` at the start of a
line or a message and `Ġdog` mid-sentence — two unrelated ids. Copying a word from a list that
starts a line into an answer was then a mapping the base model had never seen (measured on the
first micro model: 0 of 30 copy probes right, even after continued pretraining). The kit's
pre-tokenizer isolates every whitespace character and every punctuation mark and writes digits
one by one, so a word has the same ids wherever it stands (tested over the whole micro
vocabulary), and a number is its digits. The price is about one extra token per word (the space).

Why every message's content starts with one space: kept from the first micro model so rendered
chats read the same ("assistant\n dog"); with this tokenizer the space is its own token and does
not change the word's ids. It sits inside the generation block, so the inference prompt still
ends exactly at `assistant\n`; `helpers.generate` strips it.

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
    tok.pre_tokenizer = word_pre_tokenizer()
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


def word_pre_tokenizer():
    """Whitespace chars and punctuation isolated, digits one by one, then bytes -> BPE symbols.

    The order matters: splitting before the byte-level step keeps a space from ever merging
    into a word, so `dog` is the same ids after a space, at a line start and after a quote.
    """
    from tokenizers import Regex, pre_tokenizers

    return pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s"), behavior="isolated"),
        pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])


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
