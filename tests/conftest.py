"""Shared pytest fixtures. Keep this file small: fixtures used by one test module live there."""

from __future__ import annotations

import os
import random

import pytest

# Notebooks under tests/fixtures (grading exercises, some deliberately broken) are data for the
# grading tests, not lessons: nbval must not execute them.
collect_ignore_glob = ["fixtures/*"]


def pytest_configure(config):
    """Notebooks run CI-sized: every notebook's parameters cell reads TUNELAB_QUICK, and the
    kernels nbval starts inherit this process's environment."""
    os.environ.setdefault("TUNELAB_QUICK", "1")


def _world_sentences(n: int, seed: int) -> list[str]:
    """Simple sentences over the micro world's vocabulary (deterministic for a seed)."""
    from helpers import world

    rng = random.Random(seed)
    return [
        f"{rng.choice(world.PEOPLE)} {rng.choice(world.VERBS_PAST)} the {rng.choice(world.SIZES)} "
        f"{rng.choice(world.COLORS)} {rng.choice(world.OBJECTS)} to {rng.choice(world.PLACES)} in "
        f"{rng.choice(world.TOWNS)} on {rng.choice(world.DAYS)}, with "
        f"{rng.choice(world.NUMBER_WORDS)} {rng.choice(world.ANIMALS)}s and some "
        f"{rng.choice(world.FOODS)}."
        for _ in range(n)
    ]


@pytest.fixture(scope="session")
def world_texts() -> list[str]:
    """3000 deterministic sentences from helpers.world, to train small test tokenizers on."""
    return _world_sentences(3000, seed=0)


@pytest.fixture(scope="session")
def small_tokenizer(world_texts):
    """A small (vocab 800) byte-level BPE tokenizer with the kit's ChatML template and specials.

    Trained in about a second, deterministic (golden tests pin its ids). Shared by the session:
    tests that modify a tokenizer must work on `copy.deepcopy(small_tokenizer)`.
    """
    from helpers.tokenizer import TokenizerConfig, train_bpe_tokenizer

    return train_bpe_tokenizer(world_texts, TokenizerConfig(vocab_size=800))
