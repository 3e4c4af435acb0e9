"""Number task families: small arithmetic, comparisons, number words, unit conversion.

Numbers stay small (mostly under 100) so that answers are one or two BPE tokens and a tiny
model has a chance; arithmetic is still the hardest skill in the suite for it. The example
generators are build-time code: helpers/build/tasks/generators_numbers.py.
"""

from __future__ import annotations

from helpers.tasks.base import Family

FAMILIES: tuple[Family, ...] = (
    Family("add", "Add two numbers from 0 to 20.", "compute", (
        "What is {a} plus {b}?",
        "Add these two numbers.",
        "Work out the sum of {a} and {b}.",
        "Add the numbers below and give the total.",
        "If you have {a} and get {b} more, how many do you have?",
    ), checker="number", data_fields=("input", "a", "b")),
    Family("subtract", "Subtract a smaller number from one up to 20.", "compute", (
        "What is {a} minus {b}?",
        "Subtract {b} from {a}.",
        "Take the second number away from the first.",
        "What is left when you take {b} away from {a}?",
        "Work out the difference: {a} take away {b}.",
    ), checker="number", data_fields=("input", "a", "b")),
    Family("larger_number", "Pick the larger of two numbers below 100.", "select", (
        "Which number is larger: {a} or {b}?",
        "Pick the bigger of these two numbers.",
        "Which of these is the greater number?",
        "Compare {a} and {b}. Which is larger?",
        "Give the higher number of the two below.",
    ), checker="number", data_fields=("input", "a", "b")),
    Family("smaller_number", "Pick the smaller of two numbers below 100.", "select", (
        "Which number is smaller: {a} or {b}?",
        "Pick the lower of these two numbers.",
        "Which of these is the lesser number?",
        "Compare {a} and {b}. Which is smaller?",
        "Give the lower number of the two below.",
    ), checker="number", data_fields=("input", "a", "b")),
    Family("number_to_word", "Write the number (2-20) in a sentence as a word.", "knowledge", (
        "Write the number in this sentence as a word.",
        "How would you spell out the number in this sentence?",
        "Spell the number here in letters.",
        "Change the digits in this sentence into a number word and give only that word.",
        "Which number word matches the figure in this sentence?",
    )),
    Family("word_to_number", "Write the number word (two-twenty) in a sentence as digits.",
           "knowledge", (
        "Write the number in this sentence as digits.",
        "Give the number in this sentence as a figure.",
        "Turn the number word here into digits.",
        "Which digits stand for the number in this sentence?",
        "Write only the number from this sentence, in digits.",
    ), checker="digits"),
    Family("convert_units", "Convert metres, kilograms or hours to cm, g or minutes.", "compute", (
        "How many {target} is that?",
        "Convert the amount in this sentence to {target}.",
        "Give this measurement in {target}.",
        "Change the unit in this sentence to {target} and give the number.",
        "Express the quantity here in {target}.",
    ), checker="number"),
    Family("next_number", "Give the number after a number below 200.", "compute", (
        "What number comes after {input}?",
        "Give the next number after this one.",
        "Count on by one from this number.",
        "Which number follows {input}?",
        "Add one to the number below.",
    ), checker="number"),
    Family("even_odd", "Say whether a number below 200 is even or odd.", "compute", (
        "Is {input} even or odd?",
        "Say whether this number is even or odd.",
        "Tell me if the following number is odd or even.",
        "Even or odd: {input}?",
        "Decide if this number is even or odd. Answer with one word.",
    )),
)
