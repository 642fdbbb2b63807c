"""Quiet, useful logs for the worker processes: one line per task, not one per HTTP request or heartbeat.

Called by ``workers.agent.run_agent`` and ``workers.garden.run_garden_worker`` before their worker starts.
"""

from __future__ import annotations

import logging
import warnings


def quiet() -> None:
    """HTTP client request lines only on warnings; Celery's root-user SecurityWarning left out.

    The heartbeat and every reconcile talk HTTP many times a minute; httpx logs each request at INFO. Celery warns
    when a worker runs as root, which is the norm in a container and says nothing actionable here.
    """
    for name in ("httpx", "httpcore", "kubernetes.client.rest", "urllib3"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from celery.exceptions import SecurityWarning

    warnings.filterwarnings("ignore", category=SecurityWarning)
