"""The vocabulary of the bundled micro world.

Both the pretraining corpus (helpers.build.micro) and the instruction-task suite (helpers.tasks) draw
their words from these lists, so the base model has seen every word an instruction task uses —
it just has never seen an instruction, nor the format of a chat turn.

Deliberately absent: anything about the fictional hosting company of helpers.domain (plans,
prices, refunds, uptime, support tiers). The domain facts must be new to the base model, or the
domain-SFT lesson would measure nothing.
"""

from __future__ import annotations

PEOPLE = (
    "Ana", "Ben", "Cora", "Dev", "Ella", "Finn", "Gia", "Hugo", "Ida", "Jon",
    "Kai", "Lena", "Milo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara",
    "Umar", "Vera", "Wes", "Xena", "Yara", "Zeno", "Alma", "Bruno", "Clara", "Dario",
)

PLACES = (
    "the market", "the river", "the park", "the school", "the library", "the harbor",
    "the garden", "the station", "the bakery", "the farm", "the hill", "the forest",
    "the bridge", "the museum", "the beach", "the square", "the mill", "the lake",
    "the workshop", "the castle",
)

TOWNS = (
    "Ashford", "Brookvale", "Cedarby", "Dunmore", "Elmstead", "Fernhill", "Glenrow",
    "Holloway", "Ivybridge", "Juniper", "Kestrel", "Larkspur",
)

OBJECTS = (
    "apple", "basket", "book", "candle", "chair", "coin", "cup", "drum", "feather",
    "flag", "hat", "key", "kite", "lamp", "letter", "map", "mirror", "needle", "pear",
    "pencil", "plate", "ring", "rope", "shell", "shoe", "spoon", "stone", "table",
    "ticket", "towel", "violin", "wheel", "bottle", "bucket", "button", "clock",
)

ANIMALS = (
    "cat", "dog", "horse", "goat", "duck", "owl", "fox", "rabbit", "sheep", "cow",
    "mouse", "frog", "bee", "crow", "deer", "pig",
)

FOODS = (
    "bread", "soup", "cheese", "rice", "honey", "milk", "plum", "cake", "bean", "egg",
    "carrot", "onion", "lemon", "melon", "grape", "olive",
)

COLORS = ("red", "blue", "green", "yellow", "white", "black", "brown", "purple", "orange", "grey")

SIZES = ("small", "large", "tiny", "huge", "short", "long", "heavy", "light")

ADJECTIVES = (
    "old", "new", "quiet", "loud", "warm", "cold", "bright", "dark", "clean", "dusty",
    "soft", "hard", "happy", "tired", "kind", "busy", "calm", "brave",
)

VERBS_PAST = (
    "walked", "ran", "carried", "found", "lost", "painted", "cleaned", "fixed", "sold",
    "bought", "gave", "took", "dropped", "counted", "opened", "closed", "moved", "hid",
)
# The verbs that take an object ("Lena dropped the map"): every template that names a thing.
TRANSITIVE_VERBS = tuple(v for v in VERBS_PAST if v not in ("walked", "ran", "gave"))

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)

WEATHER = ("rain", "snow", "sun", "wind", "fog", "clouds")

NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
    "seventeen", "eighteen", "nineteen", "twenty",
)

# Units used by the unit-conversion task and mentioned in the corpus's measurements.
UNITS = ("metres", "centimetres", "kilograms", "grams", "hours", "minutes", "litres")

# Nouns grouped by category: the odd-one-out and categorisation tasks need categories the
# corpus also uses ("the fox and the owl are animals"), so the base model knows them.
CATEGORIES = {
    "animal": ANIMALS,
    "food": FOODS,
    "color": COLORS,
    "object": OBJECTS,
    "day": DAYS,
    "month": MONTHS,
}
