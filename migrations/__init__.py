"""Alembic migrations of hortus' database; run by ``hortus db upgrade`` and on every server start."""

from pathlib import Path

LOCATION = str(Path(__file__).resolve().parent)
