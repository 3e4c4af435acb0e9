"""helpers.tasks: the instruction-task suite's families and the checker that scores answers.

40 small task families over the micro world's vocabulary, each with several phrasings and a
programmatic answer checker. The notebooks and helpers.evaluate score generations with
`score_records` / `score`; the bundled splits are read with helpers.data.bundled_split.

    from helpers.data import bundled_split
    from helpers.tasks import score_records
    acc = score_records(bundled_split("instructions", "test_seen"), generations)  # {family: acc}

A family here is what asking and scoring need: name, description, skill, phrasings, checker,
data fields. Everything else is build-time code in helpers.build.tasks
(`python -m helpers.build.tasks build`): the example generators that draw each family's random
inputs (helpers.build.tasks.generators, one per family), the word pools they draw from
(helpers.build.tasks.lexicon), the split builder and the data card. Nothing in this package
imports helpers.build.
"""

from helpers.tasks.base import Example, Family, split_user_content
from helpers.tasks.families import (
    FAMILIES,
    HELD_OUT_FAMILIES,
    UnknownFamilyError,
    family_names,
    get_family,
)
from helpers.tasks.score import ScoringError, normalise, score, score_records

__all__ = [
    "FAMILIES",
    "HELD_OUT_FAMILIES",
    "Example",
    "Family",
    "ScoringError",
    "UnknownFamilyError",
    "family_names",
    "get_family",
    "normalise",
    "score",
    "score_records",
    "split_user_content",
]
