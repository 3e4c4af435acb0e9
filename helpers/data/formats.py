"""The four instruction-data formats, and conversion to and from the canonical form.

Canonical form (what every loader returns, what helpers.chat formats):

    {"messages": [{"role": "system"|"user"|"assistant", "content": str}, ...], **extra}

`extra` is every other top-level key of the source record (e.g. "id", "family", "answer"),
kept verbatim, because evaluation needs that metadata. The formats:

- `messages` (OpenAI): messages: [{role, content}]; roles system, user, assistant.
- `sharegpt`: conversations: [{from, value}], optional top-level system; roles human, gpt,
  system (user and assistant are tolerated too).
- `alpaca`: instruction, output, optional input and system.
- `prompt_completion`: prompt, completion; strings, or lists of {role, content} as in TRL.

Alpaca's `input`, when non-empty, is appended to the instruction after a blank line
("instruction\\n\\ninput"), so canonical -> Alpaca -> canonical is exact, while Alpaca ->
canonical -> Alpaca is exact only for records with an empty `input`.
"""

from __future__ import annotations

from typing import Any

from helpers.data.errors import (
    DataFormatError,
    MultiTurnError,
    UnknownFormatError,
    WrongTypeError,
    describe,
)
from helpers.data.validate import (
    ROLES,
    Turn,
    check_conversation,
    parse_turns,
    require,
    require_text,
    to_messages,
)

FORMATS = ("messages", "sharegpt", "alpaca", "prompt_completion")

# Keys whose presence identifies a format (any one is enough; validation then names what is
# missing, which is a clearer error than "unknown format" for an Alpaca record without output).
MARKERS = {
    "messages": ("messages",),
    "sharegpt": ("conversations",),
    "alpaca": ("instruction", "output"),
    "prompt_completion": ("prompt", "completion"),
}
# Keys each format consumes; all other top-level keys are carried over as extras.
CONSUMED = {
    "messages": ("messages",),
    "sharegpt": ("conversations", "system"),
    "alpaca": ("instruction", "input", "output", "system"),
    "prompt_completion": ("prompt", "completion"),
}
SHAREGPT_ROLES = {"human": "user", "gpt": "assistant", "system": "system",
                  "user": "user", "assistant": "assistant"}
MESSAGE_ROLES = {r: r for r in ROLES}


def detect_format(record: Any) -> str | None:
    """The format whose marker keys the record has, or None (not a dict / no or several match)."""
    if not isinstance(record, dict):
        return None
    found = [name for name, keys in MARKERS.items() if any(k in record for k in keys)]
    return found[0] if len(found) == 1 else None


def unknown_format_error(record: Any) -> UnknownFormatError:
    """Explain why detect_format found nothing: which keys were seen, which formats exist."""
    known = "; ".join(f"{n}: {' + '.join(MARKERS[n])}" for n in FORMATS)
    if not isinstance(record, dict):
        return UnknownFormatError(f"record is {type(record).__name__}, not an object",
                                  expected=f"an object with the keys of one format ({known})")
    found = [n for n, keys in MARKERS.items() if any(k in record for k in keys)]
    seen = ", ".join(map(str, record)) or "none"
    problem = (f"keys seen: {seen}; they match several formats ({', '.join(found)})" if found
               else f"keys seen: {seen}; they match no known format")
    return UnknownFormatError(problem, expected=f"the keys of one format ({known}); "
                              "or pass format= to say which one")


def check_format_name(format: str | None) -> None:
    """Raise UnknownFormatError if a forced format name is not one of FORMATS."""
    if format is not None and format not in FORMATS:
        raise UnknownFormatError(f"format={format!r} is not a known format",
                                 expected="one of: " + ", ".join(FORMATS) + " (or None to detect)")


def to_canonical(record: Any, format: str | None = None) -> dict[str, Any]:
    """Convert one record to canonical form (format detected when None); raise a DataFormatError."""
    check_format_name(format)
    if not isinstance(record, dict):
        raise WrongTypeError(f"record is {type(record).__name__}", expected="a JSON object")
    fmt = format or detect_format(record)
    if fmt is None:
        raise unknown_format_error(record)
    turns, where = _READERS[fmt](record)
    check_conversation(turns, where)
    extra = {k: v for k, v in record.items() if k not in CONSUMED[fmt]}
    if "messages" in extra:
        raise DataFormatError(f"a '{fmt}' record also has a 'messages' key", field="messages",
                              expected="one format per record; remove one of the two")
    return {"messages": to_messages(turns), **extra}


def _optional_text(record: dict, key: str) -> str:
    """An optional string field: absent, null or "" all mean 'not given'."""
    value = record.get(key)
    return "" if value is None else require_text(value, key)


def _read_messages(record: dict) -> tuple[list[Turn], str]:
    return parse_turns(require(record, "messages"), "messages", "role", "content",
                       MESSAGE_ROLES), "messages"


def _read_sharegpt(record: dict) -> tuple[list[Turn], str]:
    turns = parse_turns(require(record, "conversations"), "conversations", "from", "value",
                        SHAREGPT_ROLES)
    system = _optional_text(record, "system")  # LLaMA-Factory's optional top-level system
    if system:
        turns.insert(0, Turn("system", system, "system", "system"))
    return turns, "conversations"


def _read_alpaca(record: dict) -> tuple[list[Turn], str]:
    instruction = require_text(require(record, "instruction"), "instruction")
    output = require_text(require(record, "output"), "output")
    extra_input, system = _optional_text(record, "input"), _optional_text(record, "system")
    user = f"{instruction}\n\n{extra_input}" if extra_input else instruction
    turns = [Turn("system", system, "system", "system")] if system else []
    turns += [Turn("user", user, "instruction", "instruction"),
              Turn("assistant", output, "output", "output")]
    return turns, "instruction"


def _read_prompt_completion(record: dict) -> tuple[list[Turn], str]:
    turns = []
    for key, role in (("prompt", "user"), ("completion", "assistant")):
        value = require(record, key)
        if isinstance(value, list):  # TRL's conversational prompt/completion
            turns += parse_turns(value, key, "role", "content", MESSAGE_ROLES)
        elif isinstance(value, str):
            turns.append(Turn(role, value, key, key))
        else:
            raise WrongTypeError(f"got {describe(value)}", field=key,
                                 expected="a string, or a list of {role, content} messages")
    return turns, "prompt"


_READERS = {"messages": _read_messages, "sharegpt": _read_sharegpt,
            "alpaca": _read_alpaca, "prompt_completion": _read_prompt_completion}


def to_alpaca(record: dict[str, Any]) -> dict[str, Any]:
    """Canonical single-turn record -> Alpaca {instruction, input: "", output, [system], **extra}.

    Raises MultiTurnError for more than one user/assistant exchange (Alpaca has room for one),
    and DataFormatError where Alpaca would lose something (per-turn keys, clashing extras).
    """
    canonical = to_canonical(record, "messages")  # validates the conversation first
    messages = canonical.pop("messages")
    _check_fits_alpaca(record, messages, canonical)
    system = [m["content"] for m in messages if m["role"] == "system"]
    user, assistant = (m["content"] for m in messages if m["role"] != "system")
    out = {"instruction": user, "input": "", "output": assistant}
    if system:
        out["system"] = system[0]
    return {**out, **canonical}


def _check_fits_alpaca(record: dict, messages: list[dict], extra: dict) -> None:
    dialogue = [m for m in messages if m["role"] != "system"]
    if len(dialogue) != 2:
        rid = f" (id {record['id']!r})" if "id" in record else ""
        raise MultiTurnError(f"record{rid} has {len(dialogue) // 2} user/assistant exchanges",
                             field="messages", expected="exactly one exchange for Alpaca; keep "
                             "multi-turn data in messages form")
    for i, message in enumerate(messages):
        if set(message) != {"role", "content"}:
            keys = sorted(set(message) - {"role", "content"})
            raise DataFormatError(f"turn has extra keys {keys}", field=f"messages[{i}]",
                                  expected="plain {role, content} turns; Alpaca has no place "
                                  "for per-turn keys")
    clash = [k for k in ("instruction", "input", "output", "system") if k in extra]
    if clash:
        raise DataFormatError(f"extra key(s) {clash} would overwrite Alpaca fields",
                              field=clash[0], expected="no top-level instruction/input/output/"
                              "system keys besides messages; rename them")
