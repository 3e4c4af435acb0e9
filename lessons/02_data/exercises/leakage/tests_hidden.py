# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 02c (leakage)."""

import time


def _chat(question, answer, system=None, **meta):
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages, **meta}


@points(1, question="q1")
def test_normalize_casefold_not_lower():
    assert_equal(normalize("STRASSE"), normalize("Straße"), "normalize('STRASSE') vs normalize('Straße')")


@points(1, question="q1")
def test_normalize_all_whitespace():
    assert_equal(normalize("a\r\n\n b\u00a0\tc  "), "a b c", "normalize of text with \\r\\n, a no-break space and tabs")
    assert_equal(normalize("   "), "", "normalize of whitespace only")


@points(1, question="q1")
def test_prompt_key_stops_before_last_answer():
    record = {"messages": [{"role": "user", "content": "Hi  There"}, {"role": "assistant", "content": "Hello"},
                           {"role": "user", "content": "Bye"}, {"role": "assistant", "content": "See you"}]}
    assert_equal(prompt_key(record), "user: hi there\nassistant: hello\nuser: bye",
                 "prompt_key of a two-round chat (earlier answers are part of the prompt)")


@points(1, question="q1")
def test_prompt_key_without_assistant():
    record = {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}]}
    assert_equal(prompt_key(record), "system: s\nuser: q", "prompt_key of a record with no assistant message")


@points(2, question="q2")
def test_leak_with_different_answers_and_formatting():
    train = [_chat("Sort: pear, apple", "apple, pear"), _chat("What is 2+2?", "4")]
    test = [_chat("what is 2+2?", "four"), _chat("Reverse: abc", "cba"), _chat("SORT:  pear, apple\n", "x")]
    assert_equal([tuple(p) for p in find_leaks(train, test)], [(0, 2), (1, 0)],
                 "leaks between train and test (answers differ; case and spacing differ)")


@points(1, question="q2")
def test_role_and_system_prompt_matter():
    train = [_chat("Be brief.", "ok", system=None), _chat("Q", "A", system="You are a pirate.")]
    test = [{"messages": [{"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "ok"}]},
            _chat("Q", "A", system="You are a judge.")]
    assert_equal(list(find_leaks(train, test)), [],
                 "same words as a different role, or under a different system prompt: not a leak")


@points(1, question="q2")
def test_duplicates_give_every_pair():
    train = [_chat("Q", "1"), _chat("other", "x"), _chat("q", "2")]
    test = [_chat("Q ", "3"), _chat("Q", "4")]
    assert_equal([tuple(p) for p in find_leaks(train, test)], [(0, 0), (0, 1), (2, 0), (2, 1)],
                 "every (train, test) pair with the same prompt, sorted")


@points(1, question="q2")
def test_leaks_scale():
    train = [_chat(f"question {i}", "a") for i in range(20000)]
    test = [_chat(f"Question {i * 7}", "b") for i in range(20000)]
    start = time.perf_counter()
    leaks = find_leaks(train, test)
    seconds = time.perf_counter() - start
    assert_equal(len(leaks), 2858, "number of leaks between 20,000 train and 20,000 test records")
    assert seconds < 3, f"find_leaks took {seconds:.1f}s for 20,000 x 20,000 records; index train by key"


@points(1, question="q3")
def test_shared_groups_sorted_distinct():
    train = [{"family": f} for f in ["sort", "add", "sort", "reverse", "count"]]
    test = [{"family": f} for f in ["reverse", "sort", "sort", "spell"]]
    assert_equal(list(shared_groups(train, test)), ["reverse", "sort"], "shared families, sorted, each once")


@points(1, question="q3")
def test_shared_groups_other_key_and_missing_key():
    train, test = [{"task": "a"}, {"task": "b"}], [{"task": "b"}]
    assert_equal(list(shared_groups(train, test, key="task")), ["b"], "shared_groups(..., key='task')")
    try:
        shared_groups([{"family": "a"}], [{"family": "a"}, {"task": "b"}])
    except ValueError as e:
        assert "test" in str(e) and "1" in str(e), f"the error should name split 'test' and record 1: {e}"
        return
    raise AssertionError("a test record without 'family' must raise ValueError")
