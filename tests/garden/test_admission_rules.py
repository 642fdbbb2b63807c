"""Every validation rule of ``docs/validation-rules.md`` through the real HTTPS API of a running garden: a shoot
that breaks exactly that rule is refused with the rule's code, reason and field paths (``admission_cases``).

One garden per module on SQLite (each case makes its own shoot), a few cases also through the real kubectl, and
one case on PostgreSQL.
"""

from __future__ import annotations

import itertools
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from garden import bootstrap
from tests.e2e.kubectl import Kubectl
from tests.garden import admission_cases as cases
from tests.garden.admission_cases import JSON, Case
from tests.support.garden import Garden, running_garden

SHOOTS = f"/apis/{cases.CORE}/namespaces/{cases.NAMESPACE}/shoots"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}


class RulesGarden:
    """A running garden with the objects of ``admission_cases``, an operator client and kubectl."""

    def __init__(self, garden: Garden, workdir: Path) -> None:
        self.garden = garden
        self.kubectl = Kubectl(garden.server.kubeconfig, workdir)
        context = ssl.create_default_context(cafile=str(garden.server.ca_file))
        self.client = httpx.Client(base_url=garden.server.url, verify=context, timeout=10,
                                   headers={"Authorization": f"Bearer {garden.server.token}"})
        self._names = itertools.count(1)

    def set_up(self) -> None:
        service = self.garden.api.service
        bootstrap.ensure_namespace(service, cases.NAMESPACE, project=cases.PROJECT)
        for obj in cases.reference_objects():
            bootstrap.ensure(service, obj)
        self.create_valid(cases.valid_shoot(cases.ANCHOR))

    def fresh_name(self, case: Case) -> str:
        return f"r{case.rule:02d}-{next(self._names)}"

    def create_valid(self, shoot: JSON) -> JSON:
        response = self.client.post(SHOOTS, json=shoot)
        assert response.status_code == 201, response.text
        created: JSON = response.json()
        return created

    def close(self) -> None:
        self.client.close()


@pytest.fixture(scope="module")
def garden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RulesGarden]:
    directory = tmp_path_factory.mktemp("garden")
    with running_garden(f"sqlite:///{directory / 'garden.db'}", directory) as running:
        rules = RulesGarden(running, directory)
        rules.set_up()
        yield rules
        rules.close()


def send(garden: RulesGarden, case: Case) -> tuple[httpx.Response, JSON]:
    """Make the case's request; the manifest it sent (or the shoot it acted on) comes back for kubectl."""
    client = garden.client
    if case.action == "project":
        project = {"apiVersion": cases.CORE, "kind": "Project", "metadata": {"name": "ok"}}
        case.breaks(project)
        return client.post(f"/apis/{cases.CORE}/projects", json=project), project
    if case.action == "delete-cloudprofile":
        return client.delete(f"/apis/{cases.CORE}/cloudprofiles/{cases.CLOUDPROFILE}"), {}
    if case.action == "delete-secret":
        return client.delete(f"/api/v1/namespaces/{cases.NAMESPACE}/secrets/{cases.BINDING}"), {}
    shoot = cases.valid_shoot(garden.fresh_name(case))
    if case.action == "create":
        case.breaks(shoot)
        return client.post(SHOOTS, json=shoot), shoot
    return _act_on_existing(garden, case, shoot)


def _act_on_existing(garden: RulesGarden, case: Case, shoot: JSON) -> tuple[httpx.Response, JSON]:
    client = garden.client
    case.before(shoot)
    url = f"{SHOOTS}/{shoot['metadata']['name']}"
    stored = garden.create_valid(shoot)
    if case.action == "bind":
        return client.patch(f"{url}/binding", content=json.dumps({"spec": {"seedName": case.seed}}),
                            headers=MERGE_PATCH), stored
    if case.action == "delete":
        return client.delete(url), stored
    if case.seed:
        bound = client.patch(f"{url}/binding", content=json.dumps({"spec": {"seedName": case.seed}}),
                             headers=MERGE_PATCH)
        assert bound.status_code == 200, bound.text
    if case.deleting:
        assert client.delete(url).status_code in (200, 202)
    current: JSON = client.get(url).json()
    case.breaks(current)
    return client.put(url, json=current), current


def assert_refused(response: httpx.Response, case: Case) -> None:
    status = response.json()
    assert (response.status_code, status.get("reason"), status.get("code")) == (case.code, case.reason, case.code), \
        status
    causes = (status.get("details") or {}).get("causes") or []
    assert sorted({cause["field"] for cause in causes}) == sorted(case.fields), status["message"]
    assert case.message in status["message"]


def assert_kubectl_prints(garden: RulesGarden, case: Case, manifest: JSON) -> None:
    """kubectl's one-line rendering of the same 422: ``The Shoot "x" is invalid: <field>: <message>``."""
    result = garden.kubectl("create", "-f", "-", stdin=json.dumps(manifest))
    line = f'The Shoot "{manifest["metadata"]["name"]}" is invalid: {case.fields[0]}: '
    assert result.returncode == 1 and line in result.stderr, result.stderr


PARAMS = [pytest.param(case, id=case.id, marks=[pytest.mark.kubectl] if case.kubectl else []) for case in cases.CASES]


@pytest.mark.parametrize("case", PARAMS)
def test_refuses_a_shoot_breaking_exactly_one_rule(garden: RulesGarden, case: Case) -> None:
    response, manifest = send(garden, case)
    assert_refused(response, case)
    if case.kubectl:
        assert_kubectl_prints(garden, case, manifest)


@pytest.mark.kubectl
def test_refuses_a_broken_rule_on_every_database(db_url: str, tmp_path: Path) -> None:
    case = next(c for c in cases.CASES if c.id == "rule-14-maximum-below-minimum")
    with running_garden(db_url, tmp_path) as running:
        rules = RulesGarden(running, tmp_path)
        try:
            rules.set_up()
            response, manifest = send(rules, case)
            assert_refused(response, case)
            assert_kubectl_prints(rules, case, manifest)
        finally:
            rules.close()
