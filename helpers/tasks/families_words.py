"""Word- and letter-level task families: how each is asked and how its answers are checked.

Letter-level work (reversing, counting letters) is hard for a model that sees BPE tokens, not
letters; these families are kept on purpose as the "honestly hard" end of the suite. Their
example generators are build-time code: helpers/build/tasks/generators_words.py.
"""

from __future__ import annotations

from helpers.tasks.base import Family

FAMILIES: tuple[Family, ...] = (
    Family("reverse_word", "Spell a word backwards.", "transform", (
        "Reverse the word {input}.",
        "Write this word backwards.",
        "Spell the following word in reverse order.",
        "What is {input} spelled backwards?",
        "Turn this word around so that its last letter comes first.",
    )),
    Family("uppercase", "Rewrite a short phrase in upper case.", "transform", (
        "Rewrite this in upper case.",
        "Convert the following text to capital letters.",
        "Write {input} in all caps.",
        "Make every letter of this text a capital letter.",
        "Shout this phrase by writing it in uppercase letters.",
    ), checker="case"),
    Family("capitalise", "Capitalise the first letter of a sentence.", "copy", (
        "Capitalise the first letter of this sentence.",
        "Fix this sentence so it starts with a capital letter.",
        "Rewrite the sentence with a capital letter at the start.",
        "Make the first word of this sentence begin with a capital letter.",
        "This sentence should start with a capital. Correct it.",
    ), checker="case"),
    Family("count_letters", "Count the letters of a word.", "compute", (
        "How many letters are in the word {input}?",
        "Count the letters in this word.",
        "Give the number of letters in the following word.",
        "How long is the word {input}, in letters?",
        "Tell me how many letters make up this word.",
    ), checker="number"),
    Family("first_letter", "Give the first letter of a word.", "select", (
        "What is the first letter of the word {input}?",
        "Give the first letter of this word.",
        "Which letter does this word start with?",
        "Write only the first letter of {input}.",
        "Name the letter at the beginning of this word.",
    )),
    Family("last_letter", "Give the last letter of a word.", "select", (
        "What is the last letter of the word {input}?",
        "Give the last letter of this word.",
        "Which letter does this word end with?",
        "Write only the final letter of {input}.",
        "Name the letter at the end of this word.",
    )),
    Family("plural", "Give the plural of a noun.", "knowledge", (
        "What is the plural of {input}?",
        "Write the plural form of this word.",
        "Give the word for more than one {input}.",
        "Change this noun to its plural.",
        "Finish this: one {input}, two ...",
    )),
    Family("longer_word", "Pick the longer of two words.", "select", (
        "Which word is longer: {a} or {b}?",
        "Which of these two words has more letters?",
        "Pick the longer word.",
        "Of {a} and {b}, which word is longer?",
        "Tell me which word below is the longer one.",
    ), data_fields=("input", "a", "b")),
    Family("alphabetical_first", "Pick the word that comes first alphabetically.", "knowledge", (
        "Which word comes first in alphabetical order?",
        "Sort these words alphabetically and give only the first one.",
        "Which of these words would come first in a dictionary?",
        "Which word comes first alphabetically: {input}?",
        "Find the word that is earliest in the alphabet.",
    )),
    Family("repeat_word", "Repeat a word two to four times.", "copy", (
        "Repeat the word {input} {n} times.",
        "Write {input} {n} times, separated by spaces.",
        "Say this word {n} times.",
        "Write the following word {n} times in a row.",
        "I need the word {input} written out {n} times.",
    )),
)
