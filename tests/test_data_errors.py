"""A catalogue of bad inputs: each must fail with a message naming file, line, field, expectation.

Every case writes a small file into tmp_path and checks the error's class, its .path/.line/
.field attributes, and that the message text contains the file name, "line N", "field 'F'",
"expected" and the case's own key phrases, because a message that is merely raised is not
enough: it has to tell the user where to look and what to write instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from helpers.data import (
    DataError,
    DataFileNotFoundError,
    DataFormatError,
    DataSourceError,
    EmptyContentError,
    EmptyDatasetError,
    EncodingError,
    MalformedJSONError,
    MissingFieldError,
    TurnOrderError,
    UnknownFormatError,
    UnknownRoleError,
    WrongTypeError,
    load,
)

OK_ALPACA = {"instruction": "Say hi.", "output": "Hi!"}
OK_MESSAGES = {"messages": [{"role": "user", "content": "q"},
                            {"role": "assistant", "content": "a"}]}


def jsonl(*rows: Any) -> str:
    """One line per row: dicts are dumped as JSON, strings are written verbatim."""
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n"


def msgs(*turns: tuple[Any, Any]) -> dict:
    return {"messages": [{"role": r, "content": c} for r, c in turns]}


def sharegpt(*turns: tuple[Any, Any]) -> dict:
    return {"conversations": [{"from": f, "value": v} for f, v in turns]}


@dataclass
class Bad:
    """One bad input and what its error must say."""

    content: str | bytes | None  # file content (None: do not create the file)
    exc: type  # expected exception class
    line: int | None  # expected .line (and "line N" in the message)
    field: str | None  # expected .field (and "field 'F'" in the message)
    says: tuple[str, ...]  # phrases the message must contain
    filename: str = "bad.jsonl"
    kwargs: dict = field(default_factory=dict)  # extra arguments to load()


CASES = {
    "malformed_json_line": Bad(
        jsonl(OK_ALPACA, '{"instruction": "x", }', OK_ALPACA), MalformedJSONError, 2, None,
        ("invalid JSON", "one complete JSON object per line")),
    "pretty_printed_json_in_jsonl": Bad(
        '{\n  "prompt": "p",\n  "completion": "c"\n}\n', MalformedJSONError, 1, None,
        ("invalid JSON", "pretty-printed JSON belongs in a .json file")),
    "missing_key": Bad(
        jsonl(OK_ALPACA, {"instruction": "x"}), MissingFieldError, 2, "output",
        ("missing (or null)", "keys present: instruction", "expected a value for 'output'")),
    "line_numbers_count_blank_lines": Bad(
        jsonl(OK_ALPACA, "", "", {"instruction": "x"}), MissingFieldError, 4, "output",
        ("bad.jsonl, record 2 (line 4)",)),
    "number_where_text_expected": Bad(
        jsonl(OK_ALPACA, {"instruction": "x", "output": 42}), WrongTypeError, 2, "output",
        ("got int 42", "expected a string")),
    "number_as_message_content": Bad(
        jsonl(OK_MESSAGES, msgs(("user", "q"), ("assistant", 3.5))), WrongTypeError, 2,
        "messages[1].content", ("got float 3.5", "expected a string")),
    "null_content": Bad(
        jsonl(msgs(("user", None), ("assistant", "a"))), MissingFieldError, 1,
        "messages[0].content", ("missing (or null)", "expected a value for 'content'")),
    "role_not_a_string": Bad(
        jsonl(OK_MESSAGES, msgs((1, "q"), ("assistant", "a"))), WrongTypeError, 2,
        "messages[0].role", ("got int 1", "expected a string")),
    "messages_not_a_list": Bad(
        jsonl(OK_MESSAGES, {"messages": "hello"}), WrongTypeError, 2, "messages",
        ("got str 'hello'", "expected a list of {'role', 'content'} objects")),
    "turn_not_an_object": Bad(
        jsonl(OK_MESSAGES, {"messages": ["hello"]}), WrongTypeError, 2, "messages[0]",
        ("got str 'hello'", "expected an object with 'role' and 'content'")),
    "record_not_an_object": Bad(
        jsonl(OK_MESSAGES, "[1, 2]"), WrongTypeError, 2, None,
        ("record is list", "expected a JSON object")),
    "unknown_role_messages": Bad(
        jsonl(OK_MESSAGES, msgs(("user", "q"), ("bot", "a"))), UnknownRoleError, 2,
        "messages[1].role", ("unknown role 'bot'", "expected one of: system, user, assistant")),
    "unknown_role_sharegpt": Bad(
        jsonl(sharegpt(("human", "q"), ("model", "a"))), UnknownRoleError, 1,
        "conversations[1].from",
        ("unknown role 'model'", "expected one of: human, gpt, system, user, assistant")),
    "sharegpt_turn_without_value": Bad(
        jsonl({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt"}]}),
        MissingFieldError, 1, "conversations[1].value", ("keys present: from",)),
    "empty_assistant_turn": Bad(
        jsonl(OK_MESSAGES, msgs(("user", "q"), ("assistant", "  \n"))), EmptyContentError, 2,
        "messages[1].content", ("empty assistant turn", "expected non-empty text")),
    "empty_alpaca_output": Bad(
        jsonl({"instruction": "x", "output": ""}), EmptyContentError, 1, "output",
        ("empty assistant turn", "expected non-empty text")),
    "empty_instruction": Bad(
        jsonl({"instruction": "", "output": "y"}), EmptyContentError, 1, "instruction",
        ("the user turn is empty", "expected non-empty text")),
    "ends_with_user_turn": Bad(
        jsonl(msgs(("user", "q"), ("assistant", "a"), ("user", "more?"))), TurnOrderError, 1,
        "messages", ("ends with a user turn", "expected it to end with an assistant turn")),
    "consecutive_same_role": Bad(
        jsonl(msgs(("user", "q"), ("user", "q again"), ("assistant", "a"))), TurnOrderError, 1,
        "messages[1].role", ("two user turns in a row",
                             "expected user and assistant turns to alternate")),
    "system_turn_not_first": Bad(
        jsonl(msgs(("user", "q"), ("system", "be nice"), ("assistant", "a"))), TurnOrderError,
        1, "messages[1].role", ("system turn at position 1", "only as the first turn")),
    "first_turn_is_assistant": Bad(
        jsonl(msgs(("assistant", "hi"), ("user", "q"), ("assistant", "a"))), TurnOrderError,
        1, "messages[0].role", ("the first turn is assistant", "to be user")),
    "no_dialogue_turns": Bad(
        jsonl({"messages": [{"role": "system", "content": "s"}]}), TurnOrderError, 1,
        "messages", ("no user or assistant turn",)),
    "completion_is_a_number": Bad(
        jsonl({"prompt": "p", "completion": 7}), WrongTypeError, 1, "completion",
        ("got int 7", "a string, or a list of {role, content} messages")),
    "non_utf8_bytes": Bad(
        jsonl(OK_ALPACA).encode() + b'{"instruction": "caf\xe9", "output": "x"}\n', EncodingError,
        2, None, ("byte 0xe9 at byte offset 20 of the line", "offset 64 in the file",
                  "expected UTF-8 text", "iconv")),
    "non_utf8_bytes_in_json_array": Bad(
        b'[\n{"prompt": "a", "completion": "b"},\n{"prompt": "\xff", "completion": "b"}\n]',
        EncodingError, 3, None, ("byte 0xff at byte offset 12 of the line",),
        filename="bad.json"),
    "empty_file": Bad("\n  \n", EmptyDatasetError, None, None,
                      ("the file is empty", "expected at least one record")),
    "empty_json_array": Bad("[ ]", EmptyDatasetError, None, None, ("no records",),
                            filename="bad.json"),
    "unknown_format": Bad(
        jsonl({"question": "q", "answer": "a"}), UnknownFormatError, 1, None,
        ("keys seen: question, answer", "match no known format", "alpaca: instruction + output",
         "pass format=")),
    "ambiguous_format": Bad(
        jsonl({**OK_MESSAGES, **OK_ALPACA}), UnknownFormatError, 1, None,
        ("match several formats (messages, alpaca)",)),
    "forced_unknown_format": Bad(
        jsonl(OK_MESSAGES), UnknownFormatError, None, None,
        ("format='chatml' is not a known format",
         "expected one of: messages, sharegpt, alpaca, prompt_completion"),
        kwargs={"format": "chatml"}),
    "two_formats_in_one_record_forced": Bad(
        jsonl({**OK_ALPACA, "messages": []}), DataFormatError, 1, "messages",
        ("a 'alpaca' record also has a 'messages' key",), kwargs={"format": "alpaca"}),
    "file_not_found": Bad(None, DataFileNotFoundError, None, None,
                          ("no such file", "expected an existing .json or .jsonl file")),
    "unsupported_file_type": Bad("a,b\n1,2\n", DataSourceError, None, None,
                                 ("a '.csv' file cannot be read here", "datasets.load_dataset"),
                                 filename="bad.csv"),
    "json_array_record_missing_key": Bad(
        '[\n  {"instruction": "a", "output": "b"},\n  {"instruction": "c"}\n]',
        MissingFieldError, 3, "output", ("bad.json, record 2 (line 3), field 'output'",),
        filename="bad.json"),
    "json_array_syntax_error": Bad(
        '[\n  {"prompt": "a", "completion": "b"},\n  {"prompt": }\n]', MalformedJSONError,
        3, None, ("invalid JSON: Expecting value", "expected a JSON array of objects"),
        filename="bad.json"),
    "json_array_trailing_comma": Bad(
        '[\n  {"prompt": "a", "completion": "b"},\n]', MalformedJSONError, 3, None,
        ("trailing comma before ']'",), filename="bad.json"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_input_error_names_file_line_field_and_expectation(tmp_path: Path, case: Bad):
    path = tmp_path / case.filename
    if isinstance(case.content, str):
        path.write_text(case.content, encoding="utf-8")
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    with pytest.raises(case.exc) as info:
        load(path, **case.kwargs)
    err, message = info.value, str(info.value)
    assert isinstance(err, DataError)
    assert err.path == str(path) and message.startswith(str(path))
    assert err.line == case.line
    if case.line is not None:
        assert f"line {case.line}" in message
    assert err.field == case.field
    if case.field is not None:
        assert f"field '{case.field}'" in message
    assert "expected" in message
    for phrase in case.says:
        assert phrase in message, f"{phrase!r} not in: {message}"


def test_catalogue_is_broad():
    assert len(CASES) >= 15
    assert len({c.exc for c in CASES.values()}) >= 10  # many distinct kinds of failure


def test_strict_record_errors_say_how_to_proceed(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(jsonl(OK_ALPACA, {"instruction": "x"}))
    with pytest.raises(MissingFieldError, match="load with strict=False to skip bad records"):
        load(path)


def test_error_hierarchy():
    assert issubclass(DataFormatError, ValueError) and issubclass(DataSourceError, ValueError)
    assert issubclass(DataFileNotFoundError, FileNotFoundError)
    for exc in {c.exc for c in CASES.values()}:
        assert issubclass(exc, DataError)
    err = MissingFieldError("missing", field="output", expected="a value")
    assert str(err) == "field 'output': missing; expected a value"
    assert err.at("f.jsonl", 3, 3) is err
    assert str(err) == "f.jsonl, line 3, field 'output': missing; expected a value"
