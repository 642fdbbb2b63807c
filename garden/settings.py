"""Settings of a garden: where its state lives, its database, and how it is served.

Read by ``garden.app.create_app`` and ``hortus up`` from arguments and ``HORTUS_*`` environment variables.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GardenSettings(BaseSettings):
    """``HORTUS_DATABASE_URL=postgresql://...`` switches from the embedded SQLite to PostgreSQL."""

    model_config = SettingsConfigDict(env_prefix="HORTUS_", extra="ignore")

    state_dir: Path = Field(default_factory=lambda: Path.home() / ".hortus")
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 6443
    watch_retention: int = 100_000
    compact_interval: float = 300.0

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / 'garden.db'}"

    @property
    def server_url(self) -> str:
        return f"https://{self.host}:{self.port}"
