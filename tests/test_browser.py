"""Notebook 06 in a real browser: JupyterLab on loopback, headless Chromium, real widgets.

Runs every cell of notebooks/06_compare_live.ipynb through JupyterLab's own "Run All Cells",
clicks the widget's Generate button and checks that the three columns fill with answers and
stop reasons. Needs Debian's `chromium` (installed by the session fixture when we are root,
otherwise the test fails with the command to run) and the `playwright` package (dev extra).
On failure a screenshot is saved to the test's tmp folder and its path printed.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM_ARGS,
    BrowserSetupError,
    ensure_chromium,
    start_jupyterlab,
    stop_jupyterlab,
)

from helpers.paths import REPO_ROOT

pytestmark = pytest.mark.slow  # JupyterLab and headless Chromium (fast tier: pytest -m 'not slow')

NOTEBOOK = "06_compare_live.ipynb"
SCREENSHOT_DIR = os.environ.get("TUNELAB_SCREENSHOTS")
RUN_ALL_TIMEOUT_MS = 420_000  # all of notebook 06: ~15 s with cached adapters; training two
#                               stand-ins took ~3 min on 2 cores shared with other jobs (load 7)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The system Chromium; installed with apt-get when missing and root (never skipped)."""
    try:
        return ensure_chromium()
    except BrowserSetupError as exc:
        pytest.fail(str(exc), pytrace=False)


def test_missing_chromium_fails_with_the_install_command(monkeypatch, tmp_path):
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(browser_support.os, "geteuid", lambda: 1000)  # not root: cannot install
    with pytest.raises(BrowserSetupError, match="apt-get update && apt-get install -y chromium"):
        ensure_chromium()


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab serving a copy of notebook 06 (so autosave never touches the repo's copy)."""
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(REPO_ROOT / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    lab = start_jupyterlab(root, tmp_path / "state", extra_env={"TUNELAB_QUICK": "1"})
    yield lab
    started = time.monotonic()
    stop_jupyterlab(lab)
    assert lab.process.poll() is not None and time.monotonic() - started < 40


def _wait_for_kernel(page, timeout_s: float = 60) -> None:
    """Accept the kernel dialog if JupyterLab shows one; return once the kernel is idle."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog").get_by_role("button", name="Select")
        if dialog.count():
            dialog.first.click()
        if page.get_by_text("| Idle").count():
            return
        page.wait_for_timeout(250)
    raise AssertionError("the notebook's kernel did not become idle")


def _run_all_cells(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Done when no cell shows "[*]" (queued/running) and the last code cell has a number.
    page.wait_for_function(
        """() => {
            const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                .map(e => e.innerText.trim());
            return p.length > 0 && !p.some(t => t.includes('*')) && /\\d/.test(p[p.length - 1]);
        }""", timeout=RUN_ALL_TIMEOUT_MS)


def _columns_filled(page) -> None:
    page.wait_for_function(
        """() => {
            const a = [...document.querySelectorAll('.tunelab-answer')];
            const s = [...document.querySelectorAll('.tunelab-stats')];
            const done = document.querySelector('.tunelab-status');
            return a.length === 3 && a.every(e => e.innerText.trim().length > 0)
                && s.every(e => e.innerText.includes('stopped:'))
                && done !== null && done.innerText.includes('done');
        }""", timeout=60_000)


def test_notebook_06_widget_generates_in_headless_chromium(chromium, jupyterlab, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(jupyterlab.page_url(NOTEBOOK))
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            _wait_for_kernel(page)
            _run_all_cells(page)
            errors = page.get_by_text("Traceback (most recent call last)")
            assert errors.count() == 0, "a cell raised: " + errors.first.inner_text()[:2000]
            page.locator(".tunelab-generate").click()
            _columns_filled(page)
            answers = [e.inner_text().strip() for e in page.locator(".tunelab-answer").all()]
            stats = [e.inner_text() for e in page.locator(".tunelab-stats").all()]
            assert len(answers) == 3 and all(answers), answers
            assert page.locator(".tunelab-empty").count() == 0, answers  # real text, not a marker
            assert all(("EOS" in s or "max tokens" in s) and "tok/s" in s for s in stats)
            assert "comparison #0 done" in page.locator(".tunelab-status").inner_text()
            if SCREENSHOT_DIR:  # TUNELAB_SCREENSHOTS=folder keeps a picture of a passing run
                page.screenshot(path=str(Path(SCREENSHOT_DIR) / "06_widget.png"), full_page=True)
        except Exception:
            shot = tmp_path / "failure.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}\nJupyterLab log tail:\n{jupyterlab.log_tail()}")
            raise
        finally:
            browser.close()
