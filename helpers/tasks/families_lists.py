"""List task families: the input is a short list (or a sentence that names several things).

Lists are always written "a, b, c" so that list answers have one canonical form; the list and
set checkers in score.py still accept "a, b and c". The example generators are build-time
code: helpers/build/tasks/generators_lists.py.
"""

from __future__ import annotations

from helpers.tasks.base import Family

FAMILIES: tuple[Family, ...] = (
    Family("count_items", "Count the items in a list.", "compute", (
        "How many items are in this list?",
        "Count the words in the following list.",
        "How many things are listed here?",
        "Count the items: {input}.",
        "Tell me the number of entries in this list.",
    ), checker="number"),
    Family("first_item", "Give the first item of a list.", "select", (
        "What is the first item in this list?",
        "Give the first word of the list.",
        "Which item comes first in the list below?",
        "Name the first thing in this list: {input}.",
        "Return only the opening item of this list.",
    )),
    Family("last_item", "Give the last item of a list.", "select", (
        "What is the last item in this list?",
        "Give the last word of the list.",
        "Which item comes last in the list below?",
        "Name the last thing in this list: {input}.",
        "Return only the final item of this list.",
    )),
    Family("sort_alpha", "Sort a list alphabetically.", "knowledge", (
        "Sort this list alphabetically.",
        "Put these words in alphabetical order.",
        "Arrange the following words from A to Z.",
        "Sort these in alphabetical order: {input}.",
        "Reorder the list so the words follow the alphabet.",
    ), checker="list"),
    Family("reverse_list", "Reverse the order of a list.", "transform", (
        "Reverse the order of this list.",
        "Write these items in reverse order.",
        "List the following words from last to first.",
        "Reverse this list: {input}.",
        "Turn this list around so the last item comes first.",
    ), checker="list"),
    Family("join_commas", "Join space-separated words with commas.", "copy", (
        "Join these words with commas.",
        "Put a comma between each of these words.",
        "Write the following words as a comma-separated list.",
        "Separate these words with commas: {input}.",
        "Add commas between the words below.",
    )),
    Family("make_list", "List the things a sentence names (any order).", "select", (
        "Make a list of the things in this sentence.",
        "List the items mentioned in the following sentence.",
        "Which things does this sentence name? Answer as a list.",
        "Extract the items from this sentence as a comma-separated list.",
        "Pull out every item named here and write them as a list.",
    ), checker="set"),
    Family("odd_one_out", "Pick the word from a different category.", "knowledge", (
        "Which word does not belong with the others?",
        "Pick the odd one out.",
        "One of these words is from a different group. Which one?",
        "Find the odd one out: {input}.",
        "Which item in this list is not like the rest?",
    )),
    Family("pick_category", "Pick the word of a named category from a list.", "knowledge", (
        "Which word in this list is {a_cat}?",
        "Find the {cat} in this list.",
        "One of these words names {a_cat}. Which one?",
        "Pick out the {cat}: {input}.",
        "Look at these words and tell me which one is {a_cat}.",
    )),
    Family("contains_item", "Say yes or no: is a word in the list?", "select", (
        "Is {item} in this list? Answer yes or no.",
        "Does the following list contain {item}?",
        "Answer yes or no: is {item} one of these words?",
        "Check whether {item} appears in this list: {input}.",
        "Can you find {item} in the list below? Say yes or no.",
    ), checker="yesno"),
)
