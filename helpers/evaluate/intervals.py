"""How far to trust an accuracy measured on a few examples: the Wilson score interval.

An accuracy of 3/3 and one of 300/300 are both "1.0", but the first is compatible with a
model that is right only half the time. Report every per-family accuracy with its interval;
two variants whose intervals overlap widely have not been shown to differ.

Why Wilson and not "p ± 1.96·sqrt(p(1-p)/n)" (the Wald interval): Wald collapses to a width of
zero at 0/n and n/n and undercovers badly for small n, exactly where a toy suite lives.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass


class IntervalInputError(ValueError):
    """Counts that do not describe a binomial sample (n <= 0, successes outside [0, n])."""


@dataclass(frozen=True)
class Proportion:
    """A measured share with its 95% (by default) Wilson interval."""

    correct: int  # examples right
    n: int  # examples scored
    low: float  # lower end of the interval
    high: float  # upper end of the interval

    @property
    def accuracy(self) -> float:
        """correct / n."""
        return self.correct / self.n

    def __str__(self) -> str:
        return f"{self.accuracy:.2f} [{self.low:.2f}, {self.high:.2f}] (n={self.n})"


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """(low, high) of the Wilson score interval for `successes` out of `n` (z=1.96: 95%).

    Exact at the edges: 0/n gives low 0.0 and n/n gives high 1.0 (no rounding noise).
    Rule of thumb for this suite: with n=20 the interval is about ±0.2 around 0.5, so only
    differences larger than that between two variants are worth talking about.
    """
    _check_counts(successes, n, z)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


def proportion(successes: int, n: int, z: float = 1.96) -> Proportion:
    """`successes`/`n` with its Wilson interval, as one printable object."""
    low, high = wilson_interval(successes, n, z)
    return Proportion(correct=int(successes), n=int(n), low=low, high=high)


def _is_count(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _check_counts(successes: int, n: int, z: float) -> None:
    if not _is_count(n) or n <= 0:
        raise IntervalInputError(
            f"wilson_interval: n={n!r}; pass the number of scored examples, an int >= 1 "
            "(an empty family has no accuracy to bound)")
    if not _is_count(successes) or not 0 <= successes <= n:
        raise IntervalInputError(
            f"wilson_interval: successes={successes!r} with n={n}; pass a count of correct "
            "examples, an int in [0, n] (not an accuracy: use round(accuracy * n))")
    if not z > 0:
        raise IntervalInputError(f"wilson_interval: z={z!r}; pass a positive z (1.96 for 95%)")
