# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 02b (sharegpt)."""


def _turn(speaker, text):
    return {"from": speaker, "value": text}


def _where(record, line=1):
    """(line, field) of the RecordError that to_messages raises for `record`."""
    try:
        result = to_messages(record, line)
    except RecordError as e:
        return (e.line, e.field)
    raise AssertionError(f"to_messages should raise RecordError for this record, returned {result!r}")


@points(2, question="q1")
def test_top_level_system_and_extras_kept():
    record = {"id": 7, "source": "forum", "system": "Be brief.",
              "conversations": [_turn("human", " Hi "), _turn("gpt", "Hello.")]}
    expected = {"id": 7, "source": "forum", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": " Hi "},
        {"role": "assistant", "content": "Hello."}]}
    assert_equal(to_messages(record, 3), expected,
                 "to_messages with a top-level system prompt and extra keys (contents kept exactly)")


@points(1, question="q1")
def test_system_turn_first_and_multi_turn():
    record = {"conversations": [_turn("system", "S"), _turn("human", "a"), _turn("gpt", "b"),
                                _turn("human", "c"), _turn("gpt", "d")]}
    roles = [m["role"] for m in to_messages(record, 1)["messages"]]
    assert_equal(roles, ["system", "user", "assistant", "user", "assistant"], "roles of a 2-round chat")


@points(1, question="q1")
def test_missing_or_empty_conversations():
    assert_equal(_where({"id": 1}, 4), (4, "conversations"), "(line, field) for a record without conversations")
    assert_equal(_where({"conversations": []}, 5), (5, "conversations"), "(line, field) for empty conversations")
    assert_equal(_where(["not", "a", "dict"], 6), (6, "conversations"), "(line, field) for a list record")


@points(1, question="q1")
def test_unknown_speaker_names_the_turn():
    record = {"conversations": [_turn("human", "Hi"), _turn("robot", "beep")]}
    assert_equal(_where(record, 9), (9, "conversations[1].from"), "(line, field) for speaker 'robot'")


@points(1, question="q1")
def test_blank_value_names_the_turn():
    record = {"conversations": [_turn("human", "Hi"), _turn("gpt", " \n\t")]}
    assert_equal(_where(record), (1, "conversations[1].value"), "(line, field) for a whitespace-only answer")
    record = {"conversations": [_turn("human", None), _turn("gpt", "x")]}
    assert_equal(_where(record), (1, "conversations[0].value"), "(line, field) for a value that is None")


@points(1, question="q1")
def test_two_user_turns_in_a_row():
    record = {"conversations": [_turn("human", "a"), _turn("human", "b"), _turn("gpt", "c")]}
    assert_equal(_where(record), (1, "conversations[1].from"), "(line, field) for two user turns in a row")


@points(1, question="q1")
def test_conversation_starting_with_assistant():
    record = {"conversations": [_turn("gpt", "I speak first"), _turn("human", "b")]}
    assert_equal(_where(record), (1, "conversations[0].from"), "(line, field) when the assistant speaks first")


@points(1, question="q1")
def test_system_turn_in_the_middle_or_twice():
    middle = {"conversations": [_turn("human", "a"), _turn("system", "s"), _turn("gpt", "c")]}
    assert_equal(_where(middle), (1, "conversations[1].from"), "(line, field) for a system turn mid-chat")
    twice = {"system": "s1", "conversations": [_turn("system", "s2"), _turn("human", "a"), _turn("gpt", "b")]}
    assert_equal(_where(twice), (1, "conversations[0].from"), "(line, field) for two system prompts")


@points(1, question="q1")
def test_ends_with_user_turn():
    record = {"conversations": [_turn("human", "a"), _turn("gpt", "b"), _turn("human", "c")]}
    assert_equal(_where(record, 2), (2, "conversations"), "(line, field) for a chat ending on a user turn")


@points(1, question="q1")
def test_system_must_be_text():
    record = {"system": ["not", "text"], "conversations": [_turn("human", "a"), _turn("gpt", "b")]}
    assert_equal(_where(record), (1, "system"), "(line, field) for a system prompt that is a list")


@points(2, question="q2")
def test_lenient_mixed_lines():
    lines = [
        '{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}',
        "",
        "{not json",
        '{"conversations": [{"from": "human", "value": "a"}]}',
        "   ",
        '{"id": "x", "conversations": [{"from": "human", "value": "c"}, {"from": "gpt", "value": "d"}]}',
    ]
    records, errors = load_lenient(lines)
    assert_equal([r.get("id") for r in records], [None, "x"], "ids of the loaded records, in file order")
    assert_equal([tuple(e) for e in errors], [(3, "json"), (4, "conversations")],
                 "errors (line numbers count blank lines too)")


@points(1, question="q2")
def test_lenient_all_good():
    line = '{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}'
    records, errors = load_lenient([line, line])
    assert_equal(len(records), 2, "number of records loaded from two good lines")
    assert_equal(list(errors), [], "errors for two good lines")


@points(1, question="q2")
def test_lenient_shipped_file():
    with open("conversations.jsonl", encoding="utf-8") as f:
        records, errors = load_lenient(f.read().splitlines())
    assert_equal([r["id"] for r in records], ["ok-1", "ok-2"], "ids loaded from conversations.jsonl")
    assert_equal([tuple(e) for e in errors],
                 [(3, "conversations[1].from"), (5, "json"), (6, "conversations[1].value"),
                  (7, "conversations")], "errors reported for conversations.jsonl")
