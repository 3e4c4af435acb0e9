"""The kit's note beside every saved adapter or merged model: `tunelab.json`.

peft's own files say *how* to load an adapter; tunelab.json says *what it is* (stage, base
model, seed, how it was trained) for the registry, the widgets and a human. Every writer and
reader goes through here, so the file name, the atomic write and the error for a damaged file
are decided once.

    write_meta(out_dir, {"stage": "domain", "seed": 0})
    read_meta(out_dir).get("seed")      # {} when the folder has no tunelab.json
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from helpers.io import write_json
from helpers.paths import display_path

META_FILE = "tunelab.json"


class AdapterMetaError(ValueError):
    """A tunelab.json that cannot be read as a JSON object; the message names the file."""


def meta_path(folder: str | os.PathLike) -> Path:
    """Where an adapter folder's metadata lives (the file need not exist)."""
    return Path(folder) / META_FILE


def write_meta(folder: str | os.PathLike, meta: dict[str, Any]) -> Path:
    """Write `meta` as folder/tunelab.json and return its path.

    Atomic (helpers.io.write_json: same-folder temp file, then os.replace), so a reader never
    sees half a file, and rw-r--r-- like any other saved file rather than the temp file's 0600,
    so a folder shared with other users (a registry, a course server) stays readable.
    """
    if not isinstance(meta, dict):
        raise TypeError(f"adapter metadata must be a dict, got {type(meta).__name__}")
    return write_json(meta, meta_path(folder))


def read_meta(folder: str | os.PathLike) -> dict[str, Any]:
    """folder/tunelab.json as a dict; {} when the folder has none.

    {} rather than None: an adapter saved by plain peft (or by someone else's script) is still
    an adapter, it just carries no notes, and callers can ask `.get("seed")` either way. A file
    that exists but is not a JSON object raises AdapterMetaError naming it.
    """
    path = meta_path(folder)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    shown = display_path(path)
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as err:
        raise AdapterMetaError(
            f"{shown} is not valid JSON ({err.msg}, line {err.lineno} column {err.colno}): it "
            "was damaged or edited by hand; fix it, or delete it and save the adapter again"
        ) from None
    if not isinstance(meta, dict):
        raise AdapterMetaError(f"{shown} holds a JSON {type(meta).__name__}, not an object: "
                               "delete it and save the adapter again")
    return meta
