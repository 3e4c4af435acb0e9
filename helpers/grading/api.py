"""What instructors use inside tests: `@points(...)`, `assert_equal(...)`, `assert_raises(...)`.

All three are injected into every test's namespace by the test runner, so a tests file needs no
import; `from helpers.grading import points, assert_equal` also works (nice for editors).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def points(value: float | F = 1, question: str = "main") -> Any:
    """Mark a hidden test's worth and question. The grader reads these statically from the file,
    so the arguments must be literals: `@points(2, question="q1")`; bare `@points` is 1 point."""
    if callable(value):  # used as a bare decorator
        return points()(value)

    def mark(func: F) -> F:
        func.grading_points = value  # type: ignore[attr-defined]
        func.grading_question = question  # type: ignore[attr-defined]
        return func

    return mark


def assert_equal(actual: Any, expected: Any, what: str = "result") -> None:
    """Assert that plain data `actual` equals `expected`, type by type, with a readable message.

    Why not `assert actual == expected`: a submission can return an object whose `__eq__` always
    says True. Here only built-in types are compared, so that trick fails with a clear reason.
    """
    problem = _difference(actual, expected, what)
    if problem:
        raise AssertionError(problem)


def assert_raises(call: Callable[[], Any], what: str, must_mention: tuple[str, ...] = (),
                  error: type[BaseException] = ValueError) -> None:
    """Assert that `call()` raises `error` (ValueError by default) whose message mentions every
    word of `must_mention` — so "bad input gets a clear error" is graded, not just "it raised".
    """
    try:
        call()
    except error as e:
        for word in must_mention:
            assert word in str(e), f"{what}: the error should mention {word!r}; it says {e}"
        return
    raise AssertionError(f"{what} must raise {error.__name__}")


def _difference(actual: Any, expected: Any, where: str) -> str | None:
    if type(actual) is not type(expected):
        if type(expected) is float and type(actual) is int:
            actual = float(actual)  # 3 where 3.0 is expected is fine
        else:
            return f"{where}: expected a {type(expected).__name__}, got {type(actual).__name__}"
    if isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            return f"{where}: expected {len(expected)} items, got {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            if problem := _difference(a, e, f"{where}[{i}]"):
                return problem
        return None
    if isinstance(expected, dict):
        if set(actual) != set(expected):
            missing = ", ".join(sorted(map(repr, set(expected) - set(actual)))) or "none"
            extra = ", ".join(sorted(map(repr, set(actual) - set(expected)))) or "none"
            return f"{where}: keys differ (missing {missing}; unexpected {extra[:120]})"
        for k, e in expected.items():
            if problem := _difference(actual[k], e, f"{where}[{k!r}]"):
                return problem
        return None
    if isinstance(expected, (set, frozenset)):
        return (
            None
            if all(type(a) in _PLAIN for a in actual) and actual == expected
            else f"{where}: expected {expected!r}, got {actual!r}"
        )
    if type(expected) not in _PLAIN:
        raise TypeError(f"assert_equal compares plain data only, not {type(expected).__name__}")
    return None if actual == expected else f"{where}: expected {expected!r}, got {_short(actual)}"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
