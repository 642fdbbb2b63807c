"""Fixtures of the hostile-input tests: the real garden and local seed over HTTPS, each with a namespace of its own.

The servers are module-scoped (starting them is most of a test's cost); every test names its own objects, and
``Target.snapshot`` shows that a refused request changed nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from seed.local.server import create_local_seed
from seed.local.sim import Delays
from tests.support import databases, servers
from tests.support.garden import running_garden
from tests.support.hostile import Target, open_target

# Nothing the simulation does happens within a test: no controller writes while a test compares snapshots.
_STILL = Delays(**{f.name: 3600.0 for f in dataclasses.fields(Delays)})


@pytest.fixture(scope="module")
def garden_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("garden")
    with running_garden(f"sqlite:///{directory / 'garden.db'}", directory) as garden, \
            open_target("garden", garden.server, garden.api) as target:
        yield target


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def garden_on(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The garden on SQLite and on PostgreSQL, whose driver refuses more (NUL bytes in text, for one)."""
    directory = tmp_path_factory.mktemp(f"garden-{request.param}")
    with databases.database(request.param, directory) as url, running_garden(url, directory) as garden, \
            open_target(f"garden-{request.param}", garden.server, garden.api) as target:
        yield target


@pytest.fixture(scope="module")
def seed_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("seed")
    token = servers.new_token()
    app, api = create_local_seed(directory / "state", token=token, poll_interval=0.05, delays=_STILL)
    try:
        with servers.serve(app, directory, token=token, name="seed-local") as server, \
                open_target("seed", server, api) as target:
            yield target
    finally:
        api.store.engine.dispose()


@pytest.fixture(params=["garden", "seed"])
def target(request: pytest.FixtureRequest) -> Target:
    """The garden and the local seed in turn: both stand on ``apiserver``, so both must refuse alike."""
    found: Target = request.getfixturevalue(f"{request.param}_target")
    return found
