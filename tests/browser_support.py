"""Support for the real-browser test: the system Chromium, and a JupyterLab server on loopback.

Chromium comes from Debian's `chromium` package and is driven by the `playwright` Python
package with `executable_path` — playwright never downloads a browser here. JupyterLab runs on
127.0.0.1 on a free port, with a random token and its config/state in a temporary folder, and
is always stopped within a bounded time (graceful shutdown, then terminate, then kill).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"  # Debian's package; the only browser this test uses
INSTALL_COMMAND = "apt-get update && apt-get install -y chromium"
CHROMIUM_ARGS = [  # headless, no sandbox (containers run as root), and no network chatter
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


class BrowserSetupError(RuntimeError):
    """The system Chromium is missing and could not be installed; says how to install it."""


def ensure_chromium(timeout_s: int = 900) -> str:
    """Path of the system Chromium; installs it with apt-get when missing and we are root."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    can_install = hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")
    if not can_install:
        raise BrowserSetupError(f"{CHROMIUM} not found. Install Debian's chromium package as "
                                f"root: `{INSTALL_COMMAND}` (the browser test needs it).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    proc = subprocess.run(["bash", "-c", INSTALL_COMMAND], env=env, capture_output=True,
                          text=True, timeout=timeout_s, check=False)
    if proc.returncode != 0 or not Path(CHROMIUM).exists():
        raise BrowserSetupError(f"`{INSTALL_COMMAND}` failed (exit {proc.returncode}); last "
                                f"output:\n{(proc.stdout + proc.stderr)[-2000:]}")
    return CHROMIUM


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class JupyterLab:
    """A running JupyterLab server that this test started (and must stop)."""

    process: subprocess.Popen  # the server; its own process group holds its kernels
    port: int  # loopback port it listens on
    token: str  # the auth token every request carries
    log: Path  # server stdout+stderr, shown when something fails

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def page_url(self, notebook: str) -> str:
        return f"{self.url}/lab/tree/{notebook}?token={self.token}"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _lab_env(state: Path) -> dict:
    """Environment with Jupyter's config and state in `state` (no user settings leak in)."""
    dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython"}
    env = dict(os.environ)
    for var, sub in dirs.items():
        (state / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(state / sub)
    # No "get notified about Jupyter news?" toast: it can cover the widgets being clicked.
    news = state / "settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    return env


def start_jupyterlab(root: Path, state: Path, extra_env: dict | None = None,
                     timeout_s: float = 90) -> JupyterLab:
    """Start JupyterLab serving `root` on a free loopback port; wait until it answers."""
    port, token = free_port(), secrets.token_hex(16)
    state.mkdir(parents=True, exist_ok=True)
    log = state / "jupyterlab.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
           "--LabApp.extension_manager=readonly",  # no PyPI queries from the server
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root; the server binds loopback only
    with log.open("w") as out:
        process = subprocess.Popen(cmd, cwd=root, env={**_lab_env(state), **(extra_env or {})},
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    lab = JupyterLab(process, port, token, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{lab.log_tail()}")
        if _get(f"{lab.url}/api/status?token={token}") == 200:
            return lab
        time.sleep(0.5)
    stop_jupyterlab(lab)
    raise RuntimeError(f"JupyterLab did not answer within {timeout_s:.0f} s:\n{lab.log_tail()}")


def _get(url: str, method: str = "GET") -> int | None:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
            return r.status
    except (urllib.error.URLError, OSError):
        return None


def stop_jupyterlab(lab: JupyterLab, grace_s: float = 15) -> None:
    """Stop the server and its kernels: API shutdown, then SIGTERM, then SIGKILL (bounded)."""
    _get(f"{lab.url}/api/shutdown?token={lab.token}", method="POST")
    for sig, wait in ((None, grace_s), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        if sig is not None:
            try:
                os.killpg(lab.process.pid, sig)  # the group this test started (server + kernels)
            except ProcessLookupError:
                return  # the whole group is gone
        try:
            lab.process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # a kernel left behind by a server that died early is still in our group
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
