"""Run the Alembic migrations up to the newest revision.

Called by ``hortus db upgrade``, by server start (``hortus up``) and by test fixtures; ``location`` is the
migrations folder (``migrations.LOCATION``), passed in so that this package depends on no other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config


def upgrade(engine: sa.Engine, location: str, revision: str = "head") -> None:
    config = Config()
    config.set_main_option("script_location", location)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current(engine: sa.Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
