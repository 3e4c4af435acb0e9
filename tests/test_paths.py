"""helpers.paths: the kit's one copy of each machine-independent path rule."""

from __future__ import annotations

from pathlib import Path

from helpers.paths import REPO_ROOT, portable, repo_path, scrub_text


def test_repo_path_takes_relative_paths_from_the_repo_whatever_the_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert repo_path("runs/not-made-yet") == REPO_ROOT / "runs" / "not-made-yet"  # need not exist
    assert repo_path(tmp_path / "x") == tmp_path / "x"


def test_portable_prefers_root_then_repo_then_home_else_external(tmp_path):
    root = REPO_ROOT / "runs" / "registry"  # a registry inside the repo: relative to itself
    value = {"ckpt": str(root / "ckpt" / "1"), "base": REPO_ROOT / "data" / "models",
             "cache": [str(Path.home() / ".cache" / "hf")], "scratch": str(tmp_path / "tok"),
             "hub": "HuggingFaceTB/SmolLM2-360M", "n": 3, "slash": "/", "text": "/a\nb"}
    assert portable(value, root) == {
        "ckpt": "ckpt/1", "base": "data/models", "cache": ["~/.cache/hf"],
        "scratch": "<external>/tok", "hub": "HuggingFaceTB/SmolLM2-360M", "n": 3,
        "slash": "/", "text": "/a\nb"}
    assert portable(str(root / "ckpt")) == "runs/registry/ckpt"  # no root: repo-relative


def test_portable_existing_only_leaves_strings_that_are_not_paths_here(tmp_path):
    (tmp_path / "real").mkdir()
    value = {"path": str(tmp_path / "real"), "token": "/s", "route": "/v1/chat"}
    assert portable(value, existing_only=True) == {"path": "<external>/real", "token": "/s",
                                                   "route": "/v1/chat"}


def test_scrub_text_removes_install_repo_and_home_prefixes():
    text = (f"/opt/venv/lib/python3.11/site-packages/peft/x.py: warn\n{REPO_ROOT}/runs/it "
            f"{Path.home()}/notes.txt")
    assert scrub_text(text) == "site-packages/peft/x.py: warn\nruns/it ~/notes.txt"
