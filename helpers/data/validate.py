"""Checks that turn a list of raw turns into valid canonical messages.

Every format (Alpaca, ShareGPT, OpenAI messages, prompt/completion) is first read into `Turn`s
that remember which *source* field they came from, so that an error about an empty answer in an
Alpaca file names 'output', not 'messages[1].content'. Then one set of rules applies to all:

- every turn has non-empty text (an empty assistant turn teaches the model to stop at once);
- at most one system turn, and only first (chat templates put it first or drop it);
- after the system turn, user and assistant alternate, starting with user (two user turns in a
  row usually mean a broken export; many chat templates refuse them);
- the conversation ends with an assistant turn (the model only learns from assistant turns, so a
  trailing user turn is wasted, and often a truncation bug).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from helpers.data.errors import (
    EmptyContentError,
    MissingFieldError,
    TurnOrderError,
    UnknownRoleError,
    WrongTypeError,
    describe,
)

ROLES = ("system", "user", "assistant")


@dataclass
class Turn:
    """One turn read from a source record, before it becomes a canonical message."""

    role: str  # canonical role: system, user or assistant
    content: str  # the text, exactly as in the source
    content_field: str  # source field holding the text, e.g. "conversations[2].value"
    role_field: str  # source field holding the role (or the content field when implied)
    extra: dict[str, Any] = field(default_factory=dict)  # other keys of the turn, kept verbatim


def require(record: dict, key: str, prefix: str = "") -> Any:
    """Return record[key]; a missing key or a null value is a MissingFieldError."""
    value = record.get(key)
    if value is None:
        keys = ", ".join(map(str, record)) or "none"
        raise MissingFieldError(
            f"missing (or null); keys present: {keys}", field=prefix + key,
            expected=f"a value for '{key}'")
    return value


def require_text(value: Any, field_name: str) -> str:
    """Return value if it is a string, else raise WrongTypeError naming the field."""
    if not isinstance(value, str):
        raise WrongTypeError(f"got {describe(value)}", field=field_name, expected="a string")
    return value


def parse_turns(value: Any, field_name: str, role_key: str, content_key: str,
                role_map: dict[str, str]) -> list[Turn]:
    """Read a list of {role_key, content_key} objects into Turns, mapping roles via role_map."""
    if not isinstance(value, list):
        raise WrongTypeError(f"got {describe(value)}", field=field_name,
                             expected=f"a list of {{'{role_key}', '{content_key}'}} objects")
    turns = []
    for i, item in enumerate(value):
        where = f"{field_name}[{i}]"
        if not isinstance(item, dict):
            raise WrongTypeError(f"got {describe(item)}", field=where,
                                 expected=f"an object with '{role_key}' and '{content_key}'")
        raw_role = require_text(require(item, role_key, f"{where}."), f"{where}.{role_key}")
        if raw_role not in role_map:
            raise UnknownRoleError(f"unknown role {raw_role!r}", field=f"{where}.{role_key}",
                                   expected="one of: " + ", ".join(role_map))
        content = require_text(require(item, content_key, f"{where}."), f"{where}.{content_key}")
        # None-valued extras are dropped: `datasets` adds them to every turn when any turn has them.
        extra = {k: v for k, v in item.items()
                 if k not in (role_key, content_key) and v is not None}
        turns.append(Turn(role_map[raw_role], content, f"{where}.{content_key}",
                          f"{where}.{role_key}", extra))
    return turns


def check_conversation(turns: list[Turn], field_name: str) -> None:
    """Apply the rules in the module docstring; field_name names the whole conversation."""
    for turn in turns:
        if not turn.content.strip():
            what = "an empty assistant turn teaches the model to answer with nothing" \
                if turn.role == "assistant" else f"the {turn.role} turn is empty"
            raise EmptyContentError(what, field=turn.content_field, expected="non-empty text")
    for i, turn in enumerate(turns):
        if turn.role == "system" and i > 0:
            raise TurnOrderError(f"system turn at position {i}", field=turn.role_field,
                                 expected="at most one system turn, and only as the first turn")
    dialogue = turns[1:] if turns and turns[0].role == "system" else turns
    if not dialogue:
        raise TurnOrderError("no user or assistant turn", field=field_name,
                             expected="at least one user turn followed by an assistant turn")
    _check_alternation(dialogue)
    if dialogue[-1].role != "assistant":
        raise TurnOrderError(
            f"the conversation ends with a {dialogue[-1].role} turn", field=field_name,
            expected="it to end with an assistant turn (the model learns only from those)")


def _check_alternation(dialogue: list[Turn]) -> None:
    if dialogue[0].role != "user":
        raise TurnOrderError(f"the first turn is {dialogue[0].role}", field=dialogue[0].role_field,
                             expected="the first turn (after any system turn) to be user")
    for prev, turn in itertools.pairwise(dialogue):
        if turn.role == prev.role:
            raise TurnOrderError(
                f"two {turn.role} turns in a row ({prev.role_field} and {turn.role_field})",
                field=turn.role_field,
                expected="user and assistant turns to alternate; merge the two turns into one")


def to_messages(turns: list[Turn]) -> list[dict[str, Any]]:
    """Canonical messages: {"role", "content"} plus any extra turn keys, in that order."""
    return [{"role": t.role, "content": t.content, **t.extra} for t in turns]
