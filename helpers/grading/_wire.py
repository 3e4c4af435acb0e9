"""Plain data <-> JSON, used to carry a submission's variables to the test process.

Why not pickle: unpickling runs code chosen by whoever wrote the bytes, and here that is the
submission. This format only ever rebuilds built-in containers and scalars. Every dict in the
encoded form is a tag ({"$tuple": [...]}, {"$dict": [[k, v], ...]}, ...), so nothing is ambiguous.
Standard library only: it runs inside the sandboxed child processes.
"""

from __future__ import annotations

import base64
from typing import Any

MAX_NODES = 200_000  # larger values are skipped with a reason instead of slowing grading down
MAX_DEPTH = 50


class NotPlainData(TypeError):
    """The value is not made only of built-in scalars and containers (or is too large)."""


def encode(value: Any) -> Any:
    """Encode plain data as JSON-ready structures; raise NotPlainData for anything else."""
    budget = [MAX_NODES]
    return _enc(value, 0, budget)


def _enc(v: Any, depth: int, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise NotPlainData(f"too large to send (over {MAX_NODES} items or {MAX_DEPTH} levels deep)")
    t = type(v)  # exact types only: subclasses could run their own code when rebuilt
    if v is None or t in (bool, int, float, str):
        return v
    if t is list:
        return [_enc(x, depth + 1, budget) for x in v]
    if t in (tuple, set, frozenset):
        return {"$" + t.__name__: [_enc(x, depth + 1, budget) for x in v]}
    if t is dict:
        return {
            "$dict": [
                [_enc(k, depth + 1, budget), _enc(x, depth + 1, budget)] for k, x in v.items()
            ]
        }
    if t is bytes:
        return {"$bytes": base64.b64encode(v).decode("ascii")}
    if t is complex:
        return {"$complex": [v.real, v.imag]}
    raise NotPlainData(f"a value of type {t.__name__} is not plain data")


def decode(data: Any) -> Any:
    """Inverse of `encode`; raises ValueError on anything `encode` cannot have produced."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is list:
        return [decode(x) for x in data]
    if type(data) is not dict or len(data) != 1:
        raise ValueError(f"malformed value: {str(data)[:80]}")
    ((tag, body),) = data.items()
    if tag == "$bytes":
        return base64.b64decode(body)
    if tag == "$complex":
        return complex(*body)
    items = [decode(x) for x in body]
    builders = {
        "$tuple": tuple,
        "$set": set,
        "$frozenset": frozenset,
        "$dict": lambda kv: {k: v for k, v in kv},
    }
    if tag not in builders:
        raise ValueError(f"unknown tag {tag!r}")
    return builders[tag](items)
