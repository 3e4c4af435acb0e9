# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 05b (answer_checker): verdicts on tricky generations."""


@points(1, question="q1")
def test_answer_line_skips_blank_lines():
    assert_equal(answer_line(" \n\t\n  yes  \nno"), "yes", "answer line after blank lines")


@points(1, question="q1")
def test_answer_line_of_nothing():
    assert_equal(answer_line(""), "", "answer line of an empty generation")
    assert_equal(answer_line("\n \n"), "", "answer line of blank lines only")


@points(2, question="q2")
def test_numbers_written_many_ways():
    cases = {"The sum is 12.": True, "12.0": True, "TWELVE": True, "twelve apples": True,
             "1,2": False, "12.5": False, "112": False, "-12": False, "": False}
    got = {g: number_matches(12, g) for g in cases}
    assert_equal(got, cases, "verdicts for expected 12")


@points(2, question="q2")
def test_numbers_more_than_one_or_hidden_in_words():
    cases = {"12 or 13": False, "12, not 13": False, "twelve (12)": False, "B12": False,
             "Route B12 has 3 stops": True, "Answer:\n12": False, "\n12\n13": True,
             "one thousand": False, "1,200": False}
    got = {g: number_matches(3, g) if g.startswith("Route") else number_matches(12, g) for g in cases}
    assert_equal(got, cases, "verdicts with several numbers, digits inside words, a label line")


@points(1, question="q2")
def test_numbers_with_thousands_and_negatives():
    assert_equal([number_matches(1200, "It costs 1,200."), number_matches(-3, "-3"),
                  number_matches(0, "zero"), number_matches(20, "Twenty.")],
                 [True, True, True, True], "1,200 and -3 and number words at the ends of the range")


@points(2, question="q3")
def test_yes_no_first_word_only():
    cases = {"No.": True, "no, it is not": True, "NO": True, '"No," said Ben.': True,
             "Not really.": False, "Nope": False, "no\nyes": True, "Yes\nno": False, "": False}
    got = {g: yes_no_matches("no", g) for g in cases}
    assert_equal(got, cases, "verdicts for expected no")


@points(1, question="q3")
def test_yes_no_blank_first_lines_and_punctuation():
    assert_equal([yes_no_matches("yes", "\n\n- Yes!"), yes_no_matches("yes", "y"),
                  yes_no_matches("yes", "yes-ish")], [True, False, True],
                 "first word after blank lines and punctuation; 'yes-ish' starts with the word yes")
