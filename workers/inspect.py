"""What the console's "Workers & queues" page shows of the broker: queue depths and Celery's worker inspection.

``BrokerInspector`` implements ``garden.console.backends.QueueInspector``; ``hortus up`` plugs it into the console.
Depths: Redis lists (kombu's per-priority lists summed) or the embedded broker's message files. Workers: Celery's
remote control (``inspect active_queues / active / stats``), which answers within ``timeout`` seconds or not at all.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import redis

from garden.console.backends import BrokerReport, Task, Worker
from workers.app import make_celery
from workers.settings import WorkerSettings

# kombu's Redis transport keeps priorities 3, 6 and 9 in lists named <queue>\x06\x16<priority>.
_PRIORITY_SEP = "\x06\x16"
_PRIORITIES = ("", "3", "6", "9")


class BrokerInspector:
    def __init__(self, settings: WorkerSettings, *, timeout: float = 1.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self._app: Any = None

    def report(self, queues: Sequence[str], *, workers: bool = True) -> BrokerReport:
        notes: list[str] = []
        depths = self._depths(queues, notes)
        answered = self._workers(notes) if workers else None
        return BrokerReport(broker=redacted(self.settings.broker_url) if not self.settings.embedded
                            else f"embedded filesystem broker ({self.settings.broker_dir})",
                            queues=depths, workers=answered, notes=tuple(notes))

    def _depths(self, queues: Sequence[str], notes: list[str]) -> dict[str, int | None]:
        if self.settings.embedded:
            folder = self.settings.broker_dir / "queue"
            names = _message_files(folder)
            return {q: sum(1 for n in names if n.endswith(f".{q}.msg")) for q in queues}
        try:
            client = redis.Redis.from_url(self.settings.broker_url, socket_timeout=self.timeout)
            with contextlib.closing(client):
                pipe = client.pipeline()
                for q in queues:
                    for p in _PRIORITIES:
                        pipe.llen(q + (_PRIORITY_SEP + p if p else ""))
                counts = pipe.execute()
        except redis.RedisError as exc:
            notes.append(f"the broker did not answer: {exc}")
            return dict.fromkeys(queues)
        step = len(_PRIORITIES)
        return {q: int(sum(counts[i * step:(i + 1) * step])) for i, q in enumerate(queues)}

    def _workers(self, notes: list[str]) -> tuple[Worker, ...] | None:
        try:
            if self._app is None:
                self._app = make_celery(self.settings, role="garden")
            inspect = self._app.control.inspect(timeout=self.timeout)
            queues = inspect.active_queues() or {}
            active = inspect.active() or {} if queues else {}
            stats = inspect.stats() or {} if queues else {}
        except Exception as exc:  # a broker that cannot broadcast, or is down: say so on the page
            notes.append(f"Celery's worker inspection failed: {type(exc).__name__}: {exc}")
            return None
        if not queues and not active:
            notes.append(f"no worker answered Celery's inspection within {self.timeout:.0f} s")
        names = sorted(set(queues) | set(active) | set(stats))
        return tuple(Worker(
            name=name, queues=tuple(sorted(q.get("name", "") for q in queues.get(name) or ())),
            active=tuple(Task(name=str(t.get("name") or ""), id=str(t.get("id") or ""),
                              args=str(t.get("kwargs") or t.get("args") or ""), started=t.get("time_start"))
                         for t in active.get(name) or ()),
            concurrency=((stats.get(name) or {}).get("pool") or {}).get("max-concurrency"))
            for name in names)


def _message_files(folder: Path) -> list[str]:
    try:
        return [n.name for n in folder.iterdir() if not n.name.startswith(".")]
    except OSError:
        return []


def redacted(url: str) -> str:
    """The broker URL without its password."""
    return re.sub(r"//([^:/@]*):[^@/]*@", r"//\1:***@", url)
