"""Sentence task families: read a short sentence about the micro world, answer about it.

Most are extraction (the answer is a word copied from the input); the day and month families
also need the order of days and months, which the pretraining corpus states in prose. The
example generators are build-time code: helpers/build/tasks/generators_facts.py.
"""

from __future__ import annotations

from helpers.tasks.base import Family

FAMILIES: tuple[Family, ...] = (
    Family("extract_who", "Name the person in a sentence.", "select", (
        "Who is the person in this sentence?",
        "Who {verb} the {obj}?",
        "Name the person mentioned below.",
        "Which person does this sentence talk about?",
        "Read the sentence and tell me who did something.",
    )),
    Family("extract_where", "Name the place in a sentence.", "select", (
        "Where did this happen?",
        "Where did {person} {base} the {obj}?",
        "Name the place in this sentence.",
        "At which place does this sentence happen?",
        "Tell me the location mentioned below.",
    ), checker="place"),
    Family("extract_color", "Name the colour of the thing in a sentence.", "select", (
        "What colour is the {obj}?",
        "Which colour is mentioned in this sentence?",
        "Name the colour in the sentence below.",
        "What colour does the sentence give for the {obj}?",
        "Read this and tell me the colour of the thing.",
    )),
    Family("extract_object", "Name the object in a sentence.", "select", (
        "What did {person} {base}?",
        "Which object is mentioned in this sentence?",
        "Name the thing in the sentence below.",
        "What object does this sentence talk about?",
        "Tell me which item {person} {verb}.",
    )),
    Family("extract_day", "Name the day of the week in a sentence.", "select", (
        "On which day did this happen?",
        "Which day is named in this sentence?",
        "What day did {person} {base} the {obj}?",
        "Name the day of the week in the sentence below.",
        "Tell me the day mentioned here.",
    )),
    Family("extract_town", "Name the town where someone lives.", "select", (
        "Where does {person} live?",
        "Which town is mentioned in this sentence?",
        "Name the town in the sentence below.",
        "In which town does {person} live?",
        "Tell me the name of the town here.",
    ), checker="place"),
    Family("weather", "Name the weather in a sentence.", "select", (
        "What was the weather?",
        "Which kind of weather does this sentence mention?",
        "Name the weather in the sentence below.",
        "What weather is described here?",
        "Tell me what the weather was like, in one word.",
    )),
    Family("yes_no_fact", "Answer yes or no about a colour stated in a sentence.", "select", (
        "Is {person}'s {obj} {qcolor}? Answer yes or no.",
        "Answer yes or no: does {person} have {a_qcolor} {obj}?",
        "Read the sentence. Is the {obj} {qcolor}?",
        "According to this sentence, is the {obj} {qcolor}? Say yes or no.",
        "Based on the text below, is {person}'s {obj} {qcolor}?",
    ), checker="yesno"),
    Family("next_day", "Give the day after the day in a sentence.", "knowledge", (
        "What day comes after the day in this sentence?",
        "Which day follows the day named below?",
        "Name the day after the one in this sentence.",
        "If it happened on that day, what is the next day?",
        "Give the day that comes right after the day mentioned here.",
    )),
    Family("previous_day", "Give the day before the day in a sentence.", "knowledge", (
        "What day comes before the day in this sentence?",
        "Which day precedes the day named below?",
        "Name the day before the one in this sentence.",
        "If it happened on that day, what was the day before?",
        "Give the day that comes just before the day mentioned here.",
    )),
    Family("next_month", "Give the month after the month in a sentence.", "knowledge", (
        "Which month comes after the month in this sentence?",
        "Name the month that follows the one below.",
        "What is the next month after the one mentioned here?",
        "If this happened in that month, what month comes next?",
        "Give the month right after the month in this sentence.",
    )),
)
