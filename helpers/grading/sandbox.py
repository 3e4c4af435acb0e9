"""Start grading processes in a private working copy and watch them from the outside.

The parent's side of the sandbox: a fresh temporary folder per process (only the files it needs
are copied in), a minimal environment (no tokens or keys from the grader's environment), its own
session so the whole process group can be killed, `unshare -n` (no network namespace access)
when the kernel allows it, and bounded readers for stdout/stderr/events so a submission that
prints gigabytes costs the grader a few kilobytes. The in-process rules live in `_lockdown`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import helpers

EVENT_LIMIT = 32 << 20  # bytes of JSON events accepted from one process (exports can be large)
_EOF = object()


@dataclass
class Captured:
    """The head of one output stream and how many bytes it had in total."""

    head: bytearray = field(default_factory=bytearray)
    total: int = 0

    def text(self) -> str:
        return self.head.decode("utf-8", errors="replace")


@contextlib.contextmanager
def workspace(files: dict[str, Path], tmp_root: str | Path | None = None) -> Iterator[Path]:
    """A fresh working folder holding copies of `files` (relative name -> source); removed after.

    Layout `<tmp_root>/grading-XXXX/<random>/`: the outer folder is 0o711, so an unprivileged
    process can enter its own folder but cannot list the outer one to find other sandboxes.
    """
    if tmp_root is not None:
        Path(tmp_root).mkdir(parents=True, exist_ok=True)
    outer = Path(tempfile.mkdtemp(prefix="grading-", dir=tmp_root))
    try:
        os.chmod(outer, 0o711)
        work = outer / secrets.token_hex(8)
        (work / "tmp").mkdir(parents=True)
        for rel, src in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, work / rel)
        ids = unprivileged_ids()
        if ids:
            for p in [work, *work.rglob("*")]:
                os.chown(p, *ids)
        yield work
    finally:
        if sys.version_info >= (3, 12):
            shutil.rmtree(outer, onexc=_force_remove)
        else:
            shutil.rmtree(outer, onerror=_force_remove)


def _force_remove(func: Any, path: str, _exc: Any) -> None:
    """rmtree helper: a submission may have chmod-ed its files read-only; undo and retry."""
    with contextlib.suppress(OSError):
        os.chmod(os.path.dirname(path), 0o700)
        os.chmod(path, 0o700)
        func(path)


@functools.lru_cache(maxsize=1)
def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) of `nobody` when the grader runs as root and that user can run this Python.

    Dropping to `nobody` lets the OS refuse every write outside the working copy. It is skipped
    when Python or the helpers package sit in a folder `nobody` cannot read (e.g. under /root),
    because the submission could then not even import the standard library.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd  # POSIX only; imported here so this module imports anywhere

    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        return None
    needed = [
        sys.executable,
        sysconfig.get_paths()["stdlib"],
        sysconfig.get_paths()["purelib"],
        str(Path(helpers.__file__).parent),
    ]
    return (user.pw_uid, user.pw_gid) if all(_world_usable(p) for p in needed) else None


def _world_usable(path: str) -> bool:
    """True if any user can reach `path` (o+x on every folder above) and read it (o+r)."""
    p = Path(os.path.realpath(path))
    if any(os.stat(d).st_mode & 0o001 == 0 for d in p.parents):
        return False
    need = 0o005 if p.is_dir() else 0o004
    return os.stat(p).st_mode & need == need


@functools.lru_cache(maxsize=1)
def network_prefix() -> tuple[str, ...]:
    """`unshare -n` (`-rn` for a normal user) if it works here; else () and only _lockdown blocks."""
    exe = shutil.which("unshare")
    if not exe:
        return ()
    flags = "-n" if os.geteuid() == 0 else "-rn"
    try:
        probe = subprocess.run([exe, flags, "true"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ()
    return (exe, flags) if probe.returncode == 0 else ()


def child_env(work: Path) -> dict[str, str]:
    """A minimal environment: nothing secret from the grader's, caches inside the working copy."""
    tmp = str(work / "tmp")
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(work),
        "TMPDIR": tmp,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(helpers.__file__).resolve().parent.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": tmp,
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "NO_COLOR": "1",
    }


class Sandboxed:
    """One running grading process: send it settings, read its events, kill it when done."""

    def __init__(self, module: str, work: Path, settings: dict[str, Any], keep: int) -> None:
        """Start `python -m module` in `work`, sending `settings` as JSON on its stdin.

        `keep`: bytes of stdout and of stderr kept for the report (the rest is only counted).
        """
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [*network_prefix(), sys.executable, "-B", "-m", module],
            cwd=work,
            env=child_env(work),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        self.stdout, self.stderr = Captured(), Captured()
        self.events: queue.Queue = queue.Queue()
        self._threads = [
            threading.Thread(target=_drain, args=(self.proc.stdout, self.stdout, keep)),
            threading.Thread(target=_drain, args=(self.proc.stderr, self.stderr, keep)),
            threading.Thread(target=_read_events, args=(read_fd, self.events)),
        ]
        data = json.dumps({**settings, "event_fd": write_fd}).encode()
        self._threads.append(threading.Thread(target=_feed, args=(self.proc.stdin, data)))
        for t in self._threads:
            t.daemon = True  # never keep the grader alive for a stuck pipe
            t.start()

    def next_event(self, deadline: float) -> dict[str, Any] | None:
        """The next event; None if the deadline passed or the process closed its event stream."""
        try:
            item = self.events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if item is _EOF:
            self.events.put(_EOF)  # stay at end-of-stream for later calls
            return None
        return item

    def stop(self, wait: float = 0.0) -> int:
        """Give the process `wait` seconds to exit, then kill its whole group; the exit code."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=wait)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait()
        for t in self._threads:
            t.join(timeout=2)
        return code


def _feed(stream: Any, data: bytes) -> None:
    with contextlib.suppress(OSError):
        stream.write(data)
        stream.close()


def _drain(stream: Any, sink: Captured, keep: int) -> None:
    """Read a stream to its end, keeping only the first `keep` bytes (no memory blow-up)."""
    with contextlib.suppress(OSError, ValueError):
        while chunk := stream.read1(65536):
            sink.total += len(chunk)
            if len(sink.head) < keep:
                sink.head += chunk[: keep - len(sink.head)]


def _read_events(fd: int, out: queue.Queue) -> None:
    """JSON lines from the event pipe; a malformed or oversized line ends the stream."""
    budget = EVENT_LIMIT
    with contextlib.suppress(OSError, ValueError), os.fdopen(fd, "rb") as f:
        while line := f.readline(budget):
            budget -= len(line)
            if not line.endswith(b"\n"):
                break
            event = json.loads(line)
            if isinstance(event, dict):
                out.put(event)
    out.put(_EOF)
