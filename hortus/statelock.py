"""One running hortus per state directory: an advisory lock held for the life of ``hortus up`` or ``hortus seed local``.

Called by ``hortus.up`` and ``hortus.seed_local`` before they touch anything in the directory. The lock is an
``flock`` on ``<state>/hortus.lock``, so it vanishes with its process however that process ends (even SIGKILL);
the file names the holder's pid and command so a second start can say who holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE = "hortus.lock"


class StateInUse(Exception):
    """The state directory is held by another running hortus."""

    def __init__(self, state_dir: Path, holder: str) -> None:
        super().__init__(f"state directory {state_dir} is in use by {holder or 'another process'}; "
                         "stop it first or choose another --state-dir")


@contextlib.contextmanager
def hold(state_dir: Path, *, command: str) -> Iterator[None]:
    """Hold the state directory's lock while the block runs; raise ``StateInUse`` at once if another holds it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StateInUse(state_dir, _holder(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"process {os.getpid()} ({command})\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _holder(path: Path) -> str:
    with contextlib.suppress(OSError):
        return path.read_text().strip()
    return ""


def die_with_parent(parent: int) -> None:
    """In a child between fork and exec: ask the kernel to kill it when ``parent`` dies (Linux PR_SET_PDEATHSIG).

    Use as ``preexec_fn=functools.partial(die_with_parent, os.getpid())``; a parent that died before the call
    ends the child at once.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
