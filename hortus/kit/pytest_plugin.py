"""The conformance kit as a pytest plugin: the ``hortus_conformance`` fixture.

Loaded through the ``pytest11`` entry point of the ``hortus`` distribution (so any project with hortus installed
has it), or with ``-p hortus.kit.pytest_plugin``. An extension's test suite calls the fixture with its plugin's
name (and, for a cloud provider, ``credentials=`` and ``settings=hortus.kit.scenarios.Settings(...)``); the test
fails with the kit's report unless every check passes::

    def test_conformance(hortus_conformance):
        hortus_conformance("demo")

``--hortus-kit-timeout`` bounds each step (default 120 s).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from hortus.kit.conformance import Report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hortus", "hortus extension conformance kit")
    group.addoption("--hortus-kit-timeout", type=float, default=120.0,
                    help="seconds each step of the conformance kit may take (default 120)")


@pytest.fixture
def hortus_conformance(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., Report]:
    """Run the conformance kit against the installed plugin called ``name``; fails the test unless it passes."""
    from hortus.kit import conformance

    timeout = float(request.config.getoption("--hortus-kit-timeout"))

    def run(name: str, **options: Any) -> Report:
        report = conformance.run(name, directory=tmp_path / "kit", timeout=timeout, **options)
        if not report.passed:
            pytest.fail(report.text(), pytrace=False)
        return report

    return run
