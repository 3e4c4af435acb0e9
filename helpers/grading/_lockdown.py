"""Locks down a sandboxed grading process before any submitted code runs in it.

Layers, strongest first (the parent adds the OS ones: a fresh process per step, a private
working copy, a minimal environment, `unshare -n` when the kernel allows it):
  1. resource limits (memory, CPU seconds, file size), hard limits equal to soft ones;
  2. when the grader runs as root and the Python install is readable by `nobody`, the process
     drops to that user, so the OS itself refuses to touch anything outside the working copy;
  3. a Python audit hook (cannot be removed once installed) that refuses network access,
     starting programs, signalling other processes, raising limits, writing or deleting
     outside the working copy and reading the instructor's folders or any `tests_hidden.py`.
The hook stops accidents and ordinary attempts; code that goes through ctypes can get past it,
which is why layers 1-2 and the separate processes carry the real weight. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

HIDDEN_NAME = "tests_hidden.py"
_NETWORK = frozenset(
    {
        "socket.__new__",
        "socket.connect",
        "socket.bind",
        "socket.sendto",
        "socket.sendmsg",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "socket.getnameinfo",
    }
)
_PROGRAMS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "os.startfile",
        "pty.spawn",
    }
)
# event -> (indices of path arguments that are written, index of their dir_fd argument or None)
_WRITES = {
    "os.remove": ((0,), 1),
    "os.rmdir": ((0,), 1),
    "os.mkdir": ((0,), 2),
    "os.chmod": ((0,), 2),
    "os.chown": ((0,), 3),
    "os.utime": ((0,), 3),
    "os.truncate": ((0,), None),
    "shutil.rmtree": ((0,), 1),
    "os.rename": ((0, 1), 2),
    "os.link": ((0, 1), 2),
    "os.symlink": ((1,), 2),
}
_READS = frozenset({"os.listdir", "os.scandir"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class SandboxViolation(PermissionError):
    """Raised inside the submission when it does something grading does not allow."""


def apply_limits(memory_mb: int, cpu_s: float, fsize_mb: int) -> None:
    """Cap address space, CPU time and file size (hard = soft, so they cannot be raised)."""
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the parent's wall-clock kill still applies
        return
    for which, value in (
        (resource.RLIMIT_AS, memory_mb << 20),
        (resource.RLIMIT_CPU, int(cpu_s) + 1),
        (resource.RLIMIT_FSIZE, fsize_mb << 20),
        (resource.RLIMIT_CORE, 0),
    ):
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):  # e.g. RLIMIT_AS is not enforced on macOS
            pass


def quiet_stdin() -> None:
    """Point stdin at /dev/null: `input()` in a notebook then fails at once instead of hanging."""
    fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(fd, 0)
    os.close(fd)
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the process


def drop_privileges(ids: list[int] | None) -> None:
    """Become the unprivileged (uid, gid) chosen by the parent (only when it runs as root)."""
    if ids:
        os.setgroups([])
        os.setgid(ids[1])
        os.setuid(ids[0])


def install_guard(workdir: str, deny: list[str], sandboxes: str) -> None:
    """Install the audit hook that enforces the rules in the module docstring.

    `deny`: folders that may not be read (the exercise source, the class's submissions);
    `sandboxes`: the folder holding every `grading-*` working copy, so that a submission cannot
    read another one that is being graded at the same time.
    """
    work = os.path.realpath(workdir)
    deny_roots = [os.path.realpath(d) for d in deny]
    sandbox_prefix = os.path.join(os.path.realpath(sandboxes), "grading-")
    sys.addaudithook(_Checker(work, deny_roots, sandbox_prefix, os.getpid()))


class _Checker:
    """The audit hook: called for every audited event, so the fast path is one set lookup."""

    def __init__(self, work: str, deny: list[str], sandbox_prefix: str, pid: int) -> None:
        self.work, self.deny, self.sandbox_prefix, self.pid = work, deny, sandbox_prefix, pid
        self.own_proc = (f"/proc/{pid}", "/proc/self", "/proc/thread-self")

    def __call__(self, event: str, args: tuple) -> None:
        if event == "open":
            self._open(args)
        elif event in _WRITES:
            paths, fd_at = _WRITES[event]
            dir_fd = args[fd_at] if fd_at is not None and len(args) > fd_at else None
            for i in paths:
                self._write(args[i], dir_fd, event)
        elif event in _READS:
            self._read(args[0] if args else ".", None)
        elif event in _NETWORK:
            raise SandboxViolation("network access is disabled while grading")
        elif event in _PROGRAMS:
            raise SandboxViolation("starting other programs is disabled while grading")
        elif event in ("os.kill", "os.killpg") and args[0] not in (self.pid, 0):
            raise SandboxViolation("signalling other processes is disabled while grading")
        elif event in ("resource.setrlimit", "resource.prlimit"):
            raise SandboxViolation("resource limits are fixed while grading")

    def _open(self, args: tuple) -> None:
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and mode is None and flags & _WRITE_FLAGS
        )
        if writes:
            self._write(path, None, "open")
        else:
            self._read(path, None)

    def _read(self, path: object, dir_fd: object) -> None:
        real = _resolve(path, dir_fd)
        if real is None or _inside(real, self.work):
            return
        if (
            os.path.basename(real) == HIDDEN_NAME
            or real.startswith(self.sandbox_prefix)
            or any(_inside(real, d) for d in self.deny)
        ):
            raise SandboxViolation(f"reading {real} is not allowed while grading")
        if (
            real.startswith("/proc/")
            and real[6:7].isdigit()
            and not any(_inside(real, p) for p in self.own_proc)
        ):
            raise SandboxViolation("reading other processes is not allowed while grading")

    def _write(self, path: object, dir_fd: object, event: str) -> None:
        real = _resolve(path, dir_fd)
        if real is not None and not _inside(real, self.work) and real != os.devnull:
            raise SandboxViolation(
                f"{event}: changing {real} is not allowed while grading; "
                "only files in the working folder can be written"
            )


def _resolve(path: object, dir_fd: object) -> str | None:
    """Absolute, symlink-free form of `path`; None for file descriptors (already checked)."""
    if isinstance(path, int):
        return None
    try:
        p = os.fsdecode(os.fspath(path))
        base = os.getcwd()
        if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(p):
            base = os.readlink(f"/proc/self/fd/{dir_fd}")
        return os.path.realpath(os.path.join(base, p))
    except (TypeError, ValueError, OSError):
        return "/"  # unresolvable: treat as outside the working copy (refused for writes)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


# --- shared by the two sandboxed entry points (_child, _runner) ---------------------------------


class WallClockTimeout(BaseException):
    """Raised by `time_limit`; a BaseException so `except Exception` in submitted code misses it."""


def install_alarm() -> None:
    """Make SIGALRM raise WallClockTimeout in the main thread (used by `time_limit`)."""

    def _raise(signum: int, frame: object) -> None:
        raise WallClockTimeout()

    signal.signal(signal.SIGALRM, _raise)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise WallClockTimeout in the block after `seconds` of wall time (soft: code can catch
    it, so the parent also kills the process a little later)."""
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def describe(exc: BaseException, limit: int = 300) -> str:
    """'Type: message', truncated; survives an exception whose __str__ itself fails."""
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        text = "<message could not be shown>"
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "..."
