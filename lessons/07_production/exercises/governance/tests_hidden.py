# Injected by the grader (linters cannot know): the submission's names, points, assert_equal,
# assert_raises.
# ruff: noqa: F821
"""Hidden tests of exercise 07b (governance). Card numbers are public test numbers."""


def _promote(run):
    return {"action": "promote", "run": run}


ROLLBACK = {"action": "rollback"}


@points(2, question="q1")
def test_two_rollbacks_go_back_two_steps():
    events = [_promote("a"), _promote("b"), _promote("c"), ROLLBACK, ROLLBACK]
    assert_equal(production_after(events), "a", "production after promoting a, b, c and rolling back twice")


@points(1, question="q1")
def test_rollback_after_a_new_promotion():
    events = [_promote("a"), _promote("b"), ROLLBACK, _promote("c"), ROLLBACK]
    assert_equal(production_after(events), "a", "a, b, rollback (a), c, rollback: back to a, not b")
    events = [_promote("a"), _promote("b"), ROLLBACK, _promote("b")]
    assert_equal(production_after(events), "b", "a rolled-back run can be promoted again")


@points(1, question="q1")
def test_promoting_the_current_run_again_changes_nothing():
    events = [_promote("a"), _promote("b"), _promote("b"), ROLLBACK]
    assert_equal(production_after(events), "a", "promoting b twice then one rollback: a")
    assert_raises(lambda: production_after([_promote("a"), _promote("a"), ROLLBACK]),
                        "rollback when the only history is a promoted twice")


@points(1, question="q1")
def test_bad_rollback_and_unknown_action_name_the_event():
    assert_raises(lambda: production_after([_promote("a"), ROLLBACK]), "rollback with nothing before",
                        must_mention=("1",))
    assert_raises(lambda: production_after([_promote("a"), _promote("b"), {"action": "demote"}]),
                        "an unknown action", must_mention=("2",))


@points(1, question="q1")
def test_nothing_promoted():
    assert production_after([]) is None, "no events: nothing in production (None)"


@points(1, question="q2")
def test_luhn_doubles_from_the_right():
    # Doubling from the left gives the same result for odd lengths only: 16-digit cards break.
    assert luhn_ok("4012 8888 8888 1881") is True, (
        "4012 8888 8888 1881 is valid (double every 2nd digit counting from the RIGHT)")
    assert luhn_ok("79927398713") is True, "79927398713 is valid"
    assert luhn_ok("378282246310005") is True, "the 15-digit Amex test number is valid"


@points(1, question="q2")
def test_luhn_separators_and_invalid():
    assert luhn_ok("5500-0000-0000-0004") is True, "dashes are ignored: 5500-0000-0000-0004 is valid"
    assert luhn_ok("1234 5678 1234 5678") is False, "1234 5678 1234 5678 fails the check"


@points(1, question="q2")
def test_luhn_rejects_non_digits_and_empty():
    assert luhn_ok("4111a111 1111 1111") is False, "a letter inside: not a number, False"
    assert luhn_ok("") is False, "an empty string: False"
    assert luhn_ok(" - ") is False, "only separators: False"


@points(2, question="q3")
def test_find_several_cards_as_written():
    text = ("Paid with 4012 8888 8888 1881 on Monday; refund to 378282246310005. "
            "Backup card: 6011-1111-1111-1117.")
    assert_equal(list(find_cards(text)), ["4012 8888 8888 1881", "378282246310005", "6011-1111-1111-1117"],
                 "cards in a text with spaces, none and dashes as separators")


@points(1, question="q3")
def test_find_rejects_non_cards():
    text = ("phone 79927398713, order 1234 5678 1234 5678, placeholder 0000 0000 0000 0000, "
            "and 4111  1111 1111 1111 with a double space")
    assert_equal(list(find_cards(text)), [],
                 "too short (11 digits), Luhn-invalid, all-zero placeholder, double separator: no cards")


@points(1, question="q3")
def test_find_ignores_digits_inside_longer_numbers():
    text = "tracking 41111111111111110000 and 9-4111-1111-1111-1111"
    assert_equal(list(find_cards(text)), [], "a valid card's digits inside a longer digit run are not a card")


@points(1, question="q3")
def test_redact_counts_and_replaces():
    text = "A: 4111 1111 1111 1111. B: 5500000000000004! C: 4111 1111 1111 1112."
    assert_equal(tuple(redact(text)), ("A: [CARD]. B: [CARD]! C: 4111 1111 1111 1112.", 2),
                 "redact of two cards and one Luhn-invalid number")


@points(1, question="q3")
def test_redact_by_position_not_by_string():
    text = "ref 41111111111111111 card 4111111111111111"
    assert_equal(tuple(redact(text)), ("ref 41111111111111111 card [CARD]", 1),
                 "only the card is redacted, not the same digits inside the longer reference number")
