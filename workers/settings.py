"""Settings of the Celery side: the broker, delivery timeouts, and what the seed agent connects to.

Read by ``workers.app.make_celery`` and the seed agent's worker (``hortus seed agent``) from arguments and
``HORTUS_*`` environment variables; every timeout that tests shorten lives here.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WorkerSettings(BaseSettings):
    """``HORTUS_BROKER_URL=redis://host:6379/0`` for production; empty means the embedded filesystem broker."""

    model_config = SettingsConfigDict(env_prefix="HORTUS_", extra="ignore")

    state_dir: Path = Field(default_factory=lambda: Path.home() / ".hortus")
    broker_url: str = ""
    # The longest a reconcile task may run; Celery kills it after this (hard limit).
    task_time_limit: float = 600.0
    # Redis redelivers an unacknowledged message this long after delivery: longer than the longest task, or a
    # slow task would run twice at once (the per-shoot lock would then make the second one wait).
    visibility_timeout: float = 900.0
    # How often a worker sweeps for messages whose visibility timeout passed (Redis: every interval, throttle 1).
    unacked_restore_interval: float = 30.0
    # The dispatcher re-sends work that is still pending this long after it was sent (lost messages).
    resend_after: float = 960.0
    # The garden re-derives all pending work from the database this often (in-process loop or beat).
    resync_interval: float = 30.0
    # Shoots are reconciled at least this often (Gardener's ``controllers.shoot.syncPeriod``).
    sync_period: float = 3600.0
    # A seed whose heartbeat is older than this turns GardenletReady=Unknown (Gardener's monitorPeriod).
    monitor_period: float = 40.0
    # Seed agent: heartbeat period, and the per-shoot lock's lease (renewed while a task runs).
    heartbeat_interval: float = 10.0
    lock_lease_seconds: int = 15
    garden_kubeconfig: Path | None = None
    seed_kubeconfig: Path | None = None
    # The scheduler's strategy: SameRegion (Gardener's default) or MinimalDistance (region-config ConfigMaps).
    scheduler_strategy: str = "SameRegion"
    # A failing operation is retried this long (Gardener's ``retryDuration``) before it turns Failed.
    retry_duration: float = 12 * 3600.0
    # The first delay before an operation in Error is retried; it doubles per attempt up to 5 minutes.
    error_backoff: float = 5.0
    # The care task checks every shoot on the seed this often (Gardener's ``shootCare.syncPeriod``).
    care_period: float = 30.0
    # Seconds a failing health check may last before its condition turns False (Gardener's conditionThresholds);
    # a negative value means no threshold (False at once).
    condition_threshold: float = 60.0
    nodes_condition_threshold: float = 300.0

    @model_validator(mode="after")
    def _check_timeouts(self) -> WorkerSettings:
        if self.visibility_timeout <= self.task_time_limit:
            raise ValueError("visibility_timeout must be longer than task_time_limit (else tasks run twice)")
        if self.resend_after <= self.task_time_limit:
            raise ValueError("resend_after must be longer than task_time_limit")
        return self

    @property
    def embedded(self) -> bool:
        return not self.broker_url or self.broker_url.startswith(("filesystem://", "hortusfs://"))

    @property
    def broker_dir(self) -> Path:
        return self.state_dir / "broker"
