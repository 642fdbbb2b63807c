"""The console in a real headless Chromium against ``hortus up`` (garden, local seed and its agent, as a user runs
them): log in, watch a shoot created through the API go to Succeeded without reloading, hibernate it, find a failed
shoot through "issues only", and check that a viewer of one project neither sees another's shoots nor acts.

The agent pauses after reporting Processing (``HORTUS_RECONCILE_PAUSE``) so that a person - and this test - can
see the operation run. Every wait is on a condition in the page; screenshots of each page are written.
"""

from __future__ import annotations

import copy
import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from apiserver import tls
from apiserver.storage import engine as engines
from garden.auth import identities
from shoot import conditions
from tests.support import browser, servers

pytestmark = pytest.mark.browser
JSON = dict[str, Any]
EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "gardener-examples"
G = "/apis/core.gardener.cloud/v1beta1"
WAIT = 120_000  # ms: a busy CI machine runs the agent slowly; every wait ends as soon as its condition holds


class Up:
    """``hortus up`` in a child process, with an operator client and helpers to create objects through the API."""

    def __init__(self, state: Path, port: int) -> None:
        self.state, self.url = state, f"https://127.0.0.1:{port}"
        env = {**os.environ, "HORTUS_RECONCILE_PAUSE": "3"}
        self.log = (state.parent / "up.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "hortus.cli", "up", "--state-dir", str(state),
                                         "--port", str(port)], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        try:
            self.api = self._wait_ready()
        except BaseException:
            self.process.kill()
            self.process.wait()
            self.log.close()
            raise

    def _wait_ready(self) -> httpx.Client:
        deadline = time.monotonic() + 90
        kubeconfig = self.state / "garden.kubeconfig"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"hortus up exited with {self.process.returncode}")
            if kubeconfig.exists():
                token = yaml.safe_load(kubeconfig.read_text())["users"][0]["user"]["token"]
                client = httpx.Client(base_url=self.url, timeout=30,
                                      verify=ssl.create_default_context(cafile=str(self.state / "garden-ca.crt")),
                                      headers={"Authorization": f"Bearer {token}"})
                try:
                    if client.get(f"{G}/seeds/local").status_code == 200:
                        self.token = token
                        return client
                except httpx.HTTPError:
                    pass
                client.close()
            time.sleep(0.3)
        raise AssertionError("hortus up did not start serving")

    def create(self, path: str, body: JSON) -> JSON:
        answer = self.api.post(path, json=body)
        assert answer.status_code == 201, answer.text
        created: JSON = answer.json()
        return created

    def patch(self, path: str, body: JSON) -> JSON:
        answer = self.api.patch(path, json=body, headers={"content-type": "application/merge-patch+json"})
        assert answer.status_code == 200, answer.text
        patched: JSON = answer.json()
        return patched

    def user(self, name: str) -> str:
        engine = engines.make_engine(f"sqlite:///{self.state / 'garden.db'}")
        try:
            known = identities.for_engine(engine)
            if known.get(name) is None:
                known.create_user(name)
            return known.issue_token(name).token
        finally:
            engine.dispose()

    def stop(self) -> None:
        self.api.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def shoot(name: str, namespace: str = "garden-local", **spec: Any) -> JSON:
    doc: JSON = yaml.safe_load((EXAMPLES / "provider-local" / "shoot.yaml").read_text())
    doc["metadata"] = {"name": name, "namespace": namespace}
    doc["spec"].update(spec)
    return doc


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    directory = tmp_path_factory.mktemp("console-browser")
    running = Up(directory / "state", servers.free_port())
    try:
        _populate(running)
        yield running
    finally:
        running.stop()


def _populate(up: Up) -> None:
    """Project team-b with its own shoot; vera is a viewer of project local only; a failed shoot on a seed with
    no agent (its status written as an agent reports a permanent error)."""
    up.patch(f"{G}/projects/local", {"spec": {"members": [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "vera", "role": "viewer"}]}})
    up.create(f"{G}/projects", {"apiVersion": "core.gardener.cloud/v1beta1", "kind": "Project",
                                "metadata": {"name": "team-b"}, "spec": {"namespace": "garden-team-b"}})
    up.create("/api/v1/namespaces/garden-team-b/secrets", {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "local"}, "stringData": {"provider": "local"}})
    up.create("/apis/security.gardener.cloud/v1alpha1/namespaces/garden-team-b/credentialsbindings", {
        "apiVersion": "security.gardener.cloud/v1alpha1", "kind": "CredentialsBinding",
        "metadata": {"name": "local"}, "provider": {"type": "local"},
        "credentialsRef": {"apiVersion": "v1", "kind": "Secret", "name": "local", "namespace": "garden-team-b"}})
    up.create(f"{G}/namespaces/garden-team-b/shoots", shoot("b-secret", "garden-team-b"))
    seed = up.api.get(f"{G}/seeds/local").json()
    dead = {"apiVersion": seed["apiVersion"], "kind": "Seed", "metadata": {"name": "dead"},
            "spec": copy.deepcopy(seed["spec"])}
    dead["spec"]["networks"].update(pods="10.11.0.0/16", services="10.12.0.0/16", nodes="172.28.0.0/16")
    dead["spec"]["networks"].pop("shootDefaults", None)
    up.create(f"{G}/seeds", dead)
    broken = shoot("broken", seedName="dead")
    broken["spec"]["networking"].update(pods="10.13.0.0/16", services="10.14.0.0/16")
    up.create(f"{G}/namespaces/garden-local/shoots", broken)
    now = conditions.timestamp(time.time())
    up.patch(f"{G}/namespaces/garden-local/shoots/broken/status", {"status": {
        "lastOperation": {"type": "Create", "state": "Failed", "progress": 40, "description": "Create failed",
                          "lastUpdateTime": now},
        "lastErrors": [{"description": "infrastructure: the account's quota of load balancers is used up",
                        "codes": ["ERR_INFRA_QUOTA_EXCEEDED"], "lastUpdateTime": now}],
        "observedGeneration": 1}})
    tls.write_kubeconfig(up.state.parent / "vera.kubeconfig", tls.kubeconfig(
        server=up.url, ca_pem=(up.state / "garden-ca.crt").read_bytes(), token=up.user("vera"), cluster="garden",
        user="vera"))


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser.chromium() as found:
        yield found


@pytest.fixture
def operator(up: Up, chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{up.url}/")
    page.wait_for_url("**/console/login**")
    page.fill("#token", up.token)
    page.click("#login")
    page.wait_for_selector("#overview")
    yield page
    context.close()


# Records every state a shoot's fragment shows (rows are re-rendered by htmx, so the nodes are replaced).
RECORD = """([selector, attribute]) => {
  window.__seen = [];
  window.__marker = 'not reloaded';
  const note = () => document.querySelectorAll(selector).forEach(el => {
    const value = el.getAttribute(attribute);
    if (value && window.__seen[window.__seen.length - 1] !== value) { window.__seen.push(value); }
  });
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, attributes: true});
  note();
}"""


def test_login_redirects_from_the_root_and_shows_the_overview(up: Up, chromium: Any) -> None:
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{up.url}/")
    page.wait_for_url("**/console/login**")
    browser.screenshot(page, "01-login")
    page.fill("#token", "wrong")
    page.click("#login")
    assert "does not know this token" in page.inner_text("#login-error")
    page.fill("#token", up.token)
    page.click("#login")
    page.wait_for_selector("#overview")
    assert page.inner_text("#who") == "hortus:operator"
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["hortus_console"]["httpOnly"] and cookies["hortus_console"]["sameSite"] == "Strict"
    assert page.evaluate("document.cookie") == ""  # the session cannot be read by scripts
    browser.screenshot(page, "02-overview")
    context.close()


def test_a_shoot_created_through_the_api_goes_to_succeeded_without_a_reload(up: Up, operator: Any) -> None:
    page = operator
    page.goto(f"{up.url}/console/shoots")
    page.evaluate(RECORD, ['[data-shoot="garden-local/live-1"] .op', "data-state"])
    up.create(f"{G}/namespaces/garden-local/shoots", shoot("live-1"))
    page.wait_for_function("window.__seen.includes('Processing')")
    browser.screenshot(page, "03-shoots-processing")
    page.wait_for_function("window.__seen.includes('Succeeded')")
    assert page.evaluate("window.__marker") == "not reloaded"
    row = page.locator('[data-shoot="garden-local/live-1"]')
    assert row.locator(".pct").inner_text() == "100%"
    browser.screenshot(page, "04-shoots")

    up.create(f"{G}/namespaces/garden-local/shoots", shoot("live-2"))
    page.goto(f"{up.url}/console/shoots/garden-local/live-2")
    page.evaluate(RECORD, ["#live", "data-progress"])
    page.wait_for_function("window.__seen.includes('100')")
    assert page.evaluate("window.__marker") == "not reloaded"
    assert page.get_attribute("#live", "data-state") == "Succeeded"
    browser.screenshot(page, "05-shoot-detail")


def test_hibernating_from_the_console_changes_the_state(up: Up, operator: Any) -> None:
    page = operator
    page.goto(f"{up.url}/console/shoots/garden-local/live-1")
    page.wait_for_selector('#live[data-state="Succeeded"]')
    page.evaluate(RECORD, ["#live", "data-state"])
    page.click("#action-hibernate")
    page.wait_for_selector("#flash")
    assert page.inner_text("#flash") == "Hibernation requested"
    page.wait_for_selector('#live[data-state="Hibernated"]')
    assert "Hibernating" in page.evaluate("window.__seen")
    assert page.evaluate("window.__marker") == "not reloaded"
    assert page.is_visible("#action-wake")
    browser.screenshot(page, "06-shoot-hibernated")
    spec = up.api.get(f"{G}/namespaces/garden-local/shoots/live-1").json()["spec"]
    assert spec["hibernation"]["enabled"] is True


def test_a_failed_shoot_is_found_through_issues_only_and_its_error_is_readable(up: Up, operator: Any) -> None:
    page = operator
    page.goto(f"{up.url}/console/shoots")
    page.wait_for_selector('[data-shoot="garden-local/live-2"]')
    page.check("#issues-only")
    page.wait_for_function("!document.querySelector('[data-shoot=\"garden-local/live-2\"]')")
    row = page.locator('[data-shoot="garden-local/broken"]')
    assert "quota of load balancers is used up" in row.locator(".errtext").inner_text()
    assert "user error" in row.inner_text().lower() and "ERR_INFRA_QUOTA_EXCEEDED" in row.inner_text()
    assert "issues=1" in page.url
    browser.screenshot(page, "07-shoots-issues-only")
    row.locator("a.name").click()
    page.wait_for_selector("#last-errors")
    assert "ERR_INFRA_QUOTA_EXCEEDED" in page.inner_text("#last-errors")
    assert page.is_enabled("#action-retry")
    browser.screenshot(page, "08-shoot-failed")


def test_every_operator_page_renders(up: Up, operator: Any) -> None:
    page = operator
    for path, selector, name in (("/console/seeds", '[data-seed="local"]', "09-seeds"),
                                 ("/console/seeds/local", "h1", "10-seed"),
                                 ("/console/projects", "table", "11-projects"),
                                 ("/console/projects/local", "#members", "12-project"),
                                 ("/console/extensions", '[data-plugin="provider-local"]', "13-extensions"),
                                 ("/console/workers", "h1", "14-workers"),
                                 ("/console/audit", "#audit", "15-audit"),
                                 ("/console/", "#overview", "16-overview-with-shoots")):
        page.goto(f"{up.url}{path}")
        page.wait_for_selector(selector)
        browser.screenshot(page, name)
    page.goto(f"{up.url}/console/audit")
    assert "seeds/status" not in page.inner_text("#audit")  # the agent's heartbeats are hidden by default
    assert "shoots" in page.inner_text("#audit")


def test_a_viewer_of_one_project_neither_sees_nor_acts_on_another(up: Up, chromium: Any) -> None:
    context = chromium.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{up.url}/console/login")
    page.set_input_files("#kubeconfig", str(up.state.parent / "vera.kubeconfig"))
    page.click("#login")
    page.wait_for_selector("#overview")
    assert page.inner_text("#who") == "vera"
    page.goto(f"{up.url}/console/shoots")
    page.wait_for_selector('[data-shoot="garden-local/live-1"]')
    assert page.locator('[data-shoot="garden-team-b/b-secret"]').count() == 0
    assert "team-b" not in page.inner_text("#shoot-table")
    browser.screenshot(page, "17-viewer-shoots")
    answer = page.goto(f"{up.url}/console/shoots/garden-team-b/b-secret")
    assert answer is not None and answer.status == 403
    assert "not a member of the project" in page.inner_text("#error-message")
    page.goto(f"{up.url}/console/shoots/garden-local/live-1")
    assert page.is_disabled("#action-wake") and page.is_disabled("#action-reconcile")
    browser.screenshot(page, "18-viewer-shoot")
    forge = """async ([path, csrf]) =>
        (await fetch(path, {method: 'POST', headers: csrf ? {'X-CSRF-Token': csrf} : {}})).status"""
    csrf = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']")
    for path in ("/console/shoots/garden-local/live-1/actions/wake",
                 "/console/shoots/garden-team-b/b-secret/actions/hibernate"):
        assert page.evaluate(forge, [path, csrf]) == 403, path
        assert page.evaluate(forge, [path, ""]) == 403, path
    assert up.api.get(f"{G}/namespaces/garden-local/shoots/live-1").json()["spec"]["hibernation"]["enabled"]
    page.click("#logout")
    page.wait_for_url("**/console/login")
    page.goto(f"{up.url}/console/shoots")
    page.wait_for_url("**/console/login**")
    context.close()
