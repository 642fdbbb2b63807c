"""The embedded broker: kombu's filesystem transport with atomic message files.

kombu 5.7 creates a message file and then writes it, so a consumer polling the same folder can take the file while
it is still empty and die on a JSON decode error (seen under load in ``bench/dispatch_bench.py``). Here the
message is written under a hidden name and renamed into place, which is atomic on one filesystem. Registered as
the ``hortusfs://`` transport by ``workers.app``.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

ALIAS = "hortusfs"


class Channel(filesystem.Channel):
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        # A leading dot keeps the partial file out of ``_get``: it matches no queue's ``<queue>.msg`` suffix.
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        with open(partial, "wb") as f:
            f.write(str_to_bytes(dumps(payload)))  # type: ignore[no-untyped-call]
        os.replace(partial, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel

    def drain_events(self, connection: Any, timeout: Any = None) -> Any:  # type: ignore[override]
        """Poll as kombu does, but give up early once the worker was asked to stop.

        Celery's consumer loop drains with a fixed 2 s timeout and checks for a shutdown request only between
        drains; polling a folder never blocks, so each poll can look at the flag and a stopping worker ends at once.
        """
        from celery.worker import state

        start = monotonic()
        while True:
            try:
                return super().drain_events(connection, timeout=self.polling_interval or 0.05)  # type: ignore[no-untyped-call]
            except TimeoutError:
                stopping = state.should_stop not in (None, False) or state.should_terminate not in (None, False)
                if stopping or (timeout is not None and monotonic() - start >= timeout):
                    raise
