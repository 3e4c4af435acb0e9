# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 08 (rag_check)."""


@points(1, question="q1")
def test_recall_ignores_questions_without_a_needed_fact():
    assert_equal(recall_at_k([["x"], ["a", "b"], ["b", "c"]], [None, "b", "z"], 2), 0.5,
                 "recall@2 with one question needing nothing, one hit, one miss")
    assert_equal(recall_at_k([["a"], []], [None, None], 3), 0.0, "recall when no question needs a fact")


@points(1, question="q1")
def test_recall_k_larger_than_the_list():
    assert_equal(recall_at_k([["a", "b"], ["c"]], ["b", "d"], 10), 0.5, "recall@10 on short rankings")


@points(1, question="q1")
def test_recall_rejects_bad_input():
    assert_raises(lambda: recall_at_k([["a"]], ["a", "b"], 1), "recall_at_k with 1 ranking and 2 needed ids",
                  must_mention=("1", "2"))
    assert_raises(lambda: recall_at_k([["a"]], ["a"], 0), "recall_at_k with k=0", must_mention=("k",))


@points(2, question="q2")
def test_prompt_duplicates_do_not_use_up_k():
    got = build_prompt("Q?", ["s1", " s1 ", "", "s2", "s3"], 2)
    assert_equal(got, "Q?\n\nFacts from the Nimbusly knowledge base:\n- s1\n- s2",
                 "prompt from a list with a duplicate (after stripping) and an empty statement")


@points(1, question="q2")
def test_prompt_without_statements_is_the_question():
    assert_equal(build_prompt("Q?", [], 3), "Q?", "prompt with no statements")
    assert_equal(build_prompt("Q?", ["  ", ""], 3), "Q?", "prompt with only empty statements")


@points(1, question="q2")
def test_prompt_keeps_order_and_k():
    got = build_prompt("Where?", ["c", "a", "b", "d"], 3)
    assert_equal(got.splitlines(), ["Where?", "", "Facts from the Nimbusly knowledge base:", "- c", "- a", "- b"],
                 "prompt lines (retriever order kept, first 3)")


@points(2, question="q3")
def test_stale_whole_values_only():
    answers = ["It is 2.5 dollars.", "It is 15 dollars.", "5 dollars.", "Refunds within 14 days", "14 daysx"]
    assert_equal(stale_answers(answers, {"5 dollars": "7 dollars", "14 days": "30 days"}), [2, 3],
                 "stale answers (2.5 and 15 dollars are other values; '14 daysx' is another word)")


@points(1, question="q3")
def test_stale_case_and_mixed():
    answers = ["Now 7 dollars, was 5 Dollars", "7 DOLLARS", "5.5 dollars"]
    assert_equal(stale_answers(answers, {"5 dollars": "7 dollars"}), [0],
                 "stale answers (case-insensitive; new and old together is stale; 5.5 is not 5)")


@points(1, question="q3")
def test_stale_none():
    assert_equal(stale_answers([], {"5 dollars": "7 dollars"}), [], "stale answers of no answers")
    assert_equal(stale_answers(["5 dollars"], {}), [], "stale answers with no change")
