"""Run the real kubectl against a test API server: one-shot commands and background ones (``get -w``).

Used by the end-to-end tests in ``tests/e2e``. Every ``Kubectl`` has its own discovery cache
(``KUBECACHEDIR``) and ``HOME``, so tests never share kubectl state with each other or with the user.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

KUBECTL = "/usr/bin/kubectl"


@dataclasses.dataclass(frozen=True)
class Kubectl:
    """kubectl bound to one kubeconfig and one private cache directory."""

    kubeconfig: Path
    workdir: Path
    timeout: float = 30.0
    # Extra environment, e.g. (("KUBECTL_OPENAPIV3_PATCH", "false"),) for kubectl's OpenAPI v2 code paths.
    extra_env: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        (self.workdir / "home").mkdir(parents=True, exist_ok=True)

    def argv(self, *args: str) -> list[str]:
        return [KUBECTL, f"--kubeconfig={self.kubeconfig}", *args]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        env.update(KUBECACHEDIR=str(self.workdir / "cache"), HOME=str(self.workdir / "home"))
        env.update(self.extra_env)
        return env

    def __call__(self, *args: str, stdin: str | None = None, timeout: float | None = None) -> (
            subprocess.CompletedProcess[str]):
        """Run ``kubectl ARGS`` to completion; a run past the timeout raises ``subprocess.TimeoutExpired``."""
        return subprocess.run(self.argv(*args), input=stdin, capture_output=True, text=True, env=self.env(),
                              cwd=self.workdir, timeout=timeout or self.timeout, check=False)

    def start(self, *args: str) -> Background:
        """Start ``kubectl ARGS`` in the background, stdout and stderr merged into one stream of lines."""
        proc = subprocess.Popen(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=self.env(), cwd=self.workdir)
        return Background(proc)

    def with_kubeconfig(self, kubeconfig: Path) -> Kubectl:
        """The same cache and home with another kubeconfig (a bad token, another user)."""
        return dataclasses.replace(self, kubeconfig=kubeconfig)


class Background:
    """A running kubectl whose output lines are read by a thread, so tests can wait with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="kubectl-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, matches: Callable[[str], bool], *, timeout: float = 15.0) -> str:
        """The first new output line that ``matches``; AssertionError with all output when none comes in time."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"kubectl exited ({self.proc.wait()}) without the line; output: {self.lines}")
            self.lines.append(line)
            if matches(line):
                return line
        raise AssertionError(f"no matching kubectl line within {timeout}s; output: {self.lines}")

    def wait(self, timeout: float = 15.0) -> int:
        """The exit code, after reading the rest of the output into ``lines``."""
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        while not self._queue.empty():
            line = self._queue.get_nowait()
            if line is not None:
                self.lines.append(line)
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
