"""The console over real HTTPS as a browser speaks to it: login and sessions, CSRF, authorization of every page,
action and live event through the garden's own authorizer and audit, and the shoots page's search and filters."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from apiserver.server import ApiServer
from garden import audit
from tests.support import console as support
from tests.support import fleet, servers

JSON = dict[str, Any]
LOCAL, TEAM_B = "garden-local", "garden-team-b"


class Env:
    def __init__(self, server: servers.RunningServer, api: ApiServer, directory: Path) -> None:
        self.server, self.api, self.directory = server, api, directory
        self.service = api.service
        self.tokens = {"olga": support.user_token(api, "olga", operator=True),
                       "vera": support.user_token(api, "vera"), "bob": support.user_token(api, "bob")}
        self.clients: list[support.Browserless] = []

    def client(self, who: str | None = None) -> support.Browserless:
        c = support.Browserless(self.server.url, self.directory / "garden-ca.crt")
        self.clients.append(c)
        if who:
            assert c.login(self.tokens[who]).status_code == 303
        return c


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    app, api = fleet.garden_api(tmp_path)
    fleet.add_seed(api.service, "local", provider="local", region="eu-1", pods="10.1.0.0/16",
                   services="10.2.0.0/16", now=time.time())
    support.add_project(api.service, "team-b", members=[support.member("bob", "admin")])
    support.set_members(api.service, "local", [support.member("vera", "viewer")])
    with servers.serve(app, tmp_path, token="unused", name="garden") as server:
        environment = Env(server, api, tmp_path)
        try:
            yield environment
        finally:
            for c in environment.clients:
                c.close()
    api.store.engine.dispose()


def test_browsers_opening_the_root_go_to_the_console_and_api_clients_keep_a_status(env: Env) -> None:
    c = env.client()
    assert c.get("/").status_code == 303 and c.get("/").headers["location"] == "/console/"
    api = c.get("/", headers={"accept": "application/json, */*"})
    assert api.status_code == 404 and api.json()["kind"] == "Status"
    assert c.get("/console/").headers["location"].startswith("/console/login")
    assert c.get("/console/static/htmx.min.js").text.startswith("var htmx=")


def test_login_with_a_token_or_a_kubeconfig_gives_a_protected_expiring_session(env: Env) -> None:
    c = env.client()
    answer = c.login(env.tokens["olga"])
    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie and "max-age=28800" in cookie
    assert env.tokens["olga"].lower() not in cookie  # the cookie is encrypted: the token cannot be read from it
    assert ">olga<" in c.get("/console/").text

    wrong = env.client().login("not-a-token")
    assert wrong.status_code == 401 and "does not know this token" in wrong.text

    config = {"apiVersion": "v1", "kind": "Config", "current-context": "g",
              "contexts": [{"name": "g", "context": {"cluster": "g", "user": "vera"}}],
              "clusters": [{"name": "g", "cluster": {"server": env.server.url}}],
              "users": [{"name": "vera", "user": {"token": env.tokens["vera"]}}]}
    by_file = env.client()
    assert by_file.login(kubeconfig=yaml.safe_dump(config).encode()).status_code == 303
    assert ">vera<" in by_file.get("/console/").text
    config["users"] = [{"name": "vera", "user": {"client-certificate-data": "eA=="}}]
    refused = env.client().login(kubeconfig=yaml.safe_dump(config).encode())
    assert refused.status_code == 401 and "client certificate" in refused.text


def test_a_tampered_cookie_or_a_revoked_token_ends_the_session(env: Env) -> None:
    c = env.client("olga")
    c.http.cookies.set("hortus_console", "garbage", domain="127.0.0.1", path="/console")
    assert c.get("/console/shoots").status_code == 303
    c = env.client("vera")
    from garden.auth import identities

    identities.for_engine(env.api.store.engine).revoke(identity="vera")
    env.api.authenticator.forget()  # type: ignore[attr-defined]
    assert c.get("/console/shoots").headers["location"].startswith("/console/login")


def test_logout_ends_the_session(env: Env) -> None:
    c = env.client("olga")
    assert c.post("/console/logout", data={"csrf": c.csrf}, htmx=False).status_code == 303
    assert c.get("/console/").status_code == 303


def test_every_page_renders_for_an_operator(env: Env) -> None:
    support.add_shoot(env.service, "alpha", LOCAL)
    c = env.client("olga")
    pages = {"/console/": "Clusters with issues", "/console/shoots": "alpha",
             "/console/shoots/garden-local/alpha": "Step timeline", "/console/seeds": "local",
             "/console/seeds/local": "Capacity", "/console/projects": "team-b", "/console/projects/team-b": "bob",
             "/console/extensions": "Infrastructure", "/console/workers": "No broker is configured",
             "/console/audit": "Audit log"}
    for path, text in pages.items():
        page = c.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert text in page.text, path


def test_a_viewer_sees_only_their_projects_and_cannot_act(env: Env) -> None:
    support.add_shoot(env.service, "mine", LOCAL)
    support.add_shoot(env.service, "theirs", TEAM_B)
    vera = env.client("vera")
    listed = vera.get("/console/shoots").text
    assert "garden-local/mine" in listed and "theirs" not in listed
    assert "team-b" not in vera.get("/console/projects").text
    assert vera.get("/console/shoots/garden-team-b/theirs").status_code == 403
    assert vera.get("/console/shoots/garden-team-b/theirs/live").status_code == 403
    assert "theirs" not in vera.get("/console/").text
    detail = vera.get("/console/shoots/garden-local/mine").text
    assert 'id="action-hibernate" disabled' in detail and "your project role does not allow" in detail
    for path in ("/console/shoots/garden-local/mine/actions/hibernate",
                 "/console/shoots/garden-team-b/theirs/actions/hibernate"):
        forged = vera.post(path, htmx=False)
        assert forged.status_code == 403, path
    assert vera.get("/console/audit").status_code == 403 and vera.get("/console/workers").status_code == 403
    shoot = env.service.get(support.rt(env.service, "shoots"), LOCAL, "mine")
    assert not (shoot["spec"].get("hibernation") or {}).get("enabled")
    assert isinstance(env.api.audit, audit.AuditLog)
    refused = env.api.audit.recent(10, audit.AuditFilter(user="vera", verb="patch"))
    assert {(e.namespace, e.name, e.code) for e in refused} == {(LOCAL, "mine", 403), (TEAM_B, "theirs", 403)}

    bob = env.client("bob")
    assert "theirs" in bob.get("/console/shoots").text and "garden-local/mine" not in bob.get("/console/shoots").text
    assert bob.post("/console/shoots/garden-local/mine/actions/reconcile", htmx=False).status_code == 403


def test_posts_without_the_csrf_token_or_from_another_origin_are_refused(env: Env) -> None:
    support.add_shoot(env.service, "alpha", LOCAL)
    olga = env.client("olga")
    path = "/console/shoots/garden-local/alpha/actions/hibernate"
    assert olga.post(path, csrf=False).status_code == 403
    assert olga.post(path, csrf=False, htmx=False, data={"csrf": "wrong"}).status_code == 403
    assert olga.post(path, headers={"origin": "https://evil.example"}).status_code == 403
    assert olga.post("/console/logout", csrf=False, htmx=False).status_code == 403
    shoot = env.service.get(support.rt(env.service, "shoots"), LOCAL, "alpha")
    assert not (shoot["spec"].get("hibernation") or {}).get("enabled")
    assert olga.post(path).status_code == 200


def test_actions_are_api_writes_with_admission_and_audit(env: Env) -> None:
    support.add_shoot(env.service, "alpha", LOCAL)
    olga = env.client("olga")
    shoots = support.rt(env.service, "shoots")
    hibernated = olga.post("/console/shoots/garden-local/alpha/actions/hibernate")
    assert "Hibernation requested" in hibernated.text
    assert env.service.get(shoots, LOCAL, "alpha")["spec"]["hibernation"]["enabled"] is True
    assert 'id="action-wake"' in hibernated.text
    generation = env.service.get(shoots, LOCAL, "alpha")["metadata"]["generation"]
    assert "Reconcile requested" in olga.post("/console/shoots/garden-local/alpha/actions/reconcile").text
    # Gardener's admission consumes the one-shot annotation and bumps the generation, which the dispatcher follows.
    assert env.service.get(shoots, LOCAL, "alpha")["metadata"]["generation"] == generation + 1

    wrong = olga.post("/console/shoots/garden-local/alpha/actions/delete", data={"confirm": "alph"})
    assert wrong.status_code == 422 and "to confirm its deletion" in wrong.text
    assert "deletionTimestamp" not in env.service.get(shoots, LOCAL, "alpha")["metadata"]
    gone = olga.post("/console/shoots/garden-local/alpha/actions/delete", data={"confirm": "alpha"})
    assert "no longer exists" in gone.text  # no agent put its finalizer on it, so the deletion is immediate
    assert env.api.store.get(shoots.key, LOCAL, "alpha") is None

    assert isinstance(env.api.audit, audit.AuditLog)
    done = env.api.audit.recent(10, audit.AuditFilter(user="olga", name="alpha"))
    assert [(e.verb, e.code) for e in reversed(done)] == [("patch", 200), ("patch", 200), ("patch", 200),
                                                          ("delete", 200)]


def test_actions_the_platform_does_not_carry_out_are_disabled_with_the_reason(env: Env) -> None:
    support.add_shoot(env.service, "alpha", LOCAL)
    page = env.client("olga").get("/console/shoots/garden-local/alpha").text
    assert 'id="action-maintain" disabled' in page and "does not run maintenance operations yet" in page
    assert 'id="action-rotate" disabled' in page and "does not rotate credentials yet" in page
    assert "does not serve shoots/adminkubeconfig yet" in page
    assert 'id="action-retry" disabled' in page and "only a failed operation can be retried" in page
    answer = env.client("olga").post("/console/shoots/garden-local/alpha/actions/maintain")
    assert answer.status_code == 422 and "not available" in answer.text


def test_shoots_page_searches_filters_sorts_and_pages_on_the_server(env: Env) -> None:
    now = time.time()
    for i in range(30):
        support.add_shoot(env.service, f"s{i:02d}", LOCAL)
    support.add_shoot(env.service, "quota", TEAM_B)
    support.fail(env.service, TEAM_B, "quota", now=now, code="ERR_INFRA_QUOTA_EXCEEDED",
                 message="the account's vCPU quota is used up")
    support.add_shoot(env.service, "broken", LOCAL)
    support.fail(env.service, LOCAL, "broken", now=now, code="ERR_CLEANUP_CLUSTER_RESOURCES",
                 message="the seed could not remove old objects")
    olga = env.client("olga")
    issues = olga.get("/console/shoots/table?issues=1").text
    assert "garden-local/broken" in issues and "garden-team-b/quota" in issues and "s01" not in issues
    assert "vCPU quota is used up" in issues and "user error" in issues and "platform error" in issues
    platform = olga.get("/console/shoots/table?issues=1&platform=1").text
    assert "garden-local/broken" in platform and "garden-team-b/quota" not in platform
    first = olga.get("/console/shoots/table").text
    assert first.index("garden-local/broken") < first.index("garden-local/s00")  # issues first by default
    assert "32 of 32 shoots" in first and "page 1 / 1" in first
    paged = olga.get("/console/shoots/table?per_page=25&page=2&sort=name").text
    assert "page 2 / 2" in paged and "s29" in paged and "s00" not in paged
    searched = olga.get('/console/shoots/table?q=s0 -s05').text
    assert "garden-local/s04" in searched and "garden-local/s05" not in searched and "s10" not in searched
    assert "1 of 32" in olga.get("/console/shoots/table?project=team-b").text
    assert "Failed" in olga.get("/console/shoots/table?state=Failed").text
    detail = olga.get("/console/shoots/garden-team-b/quota").text
    assert "ERR_INFRA_QUOTA_EXCEEDED" in detail and 'id="action-retry" hx-post' in detail


def test_live_events_carry_only_what_the_viewer_may_see(env: Env) -> None:
    support.add_shoot(env.service, "mine", LOCAL)
    support.add_shoot(env.service, "theirs", TEAM_B)
    vera = env.client("vera")
    events: list[JSON] = []
    connected = threading.Event()

    def listen() -> None:
        with vera.http.stream("GET", "/console/events", timeout=60) as stream:
            for line in stream.iter_lines():
                if line.startswith(": connected"):
                    connected.set()
                if line.startswith("data: "):
                    events.append(json.loads(line.removeprefix("data: ")))
                    if events[-1].get("name") == "mine":
                        return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert connected.wait(30)
    now = time.time()
    support.write_status(env.service, TEAM_B, "theirs", {"lastOperation": support.operation("Create", "Processing",
                                                                                            10, now=now)})
    support.write_status(env.service, LOCAL, "mine", {"lastOperation": support.operation("Create", "Processing",
                                                                                         10, now=now)})
    thread.join(60)
    shoots = [e for e in events if e["kind"] == "shoot"]
    assert shoots and shoots[-1]["name"] == "mine" and all(e["name"] != "theirs" for e in shoots)
    assert env.client().get("/console/events").status_code == 401


def test_the_audit_log_hides_heartbeats_unless_asked(env: Env) -> None:
    assert isinstance(env.api.audit, audit.AuditLog)
    from apiserver.auth import AuditEvent

    for resource, subresource, name in (("seeds", "status", "local"), ("shoots", "", "alpha")):
        env.api.audit(AuditEvent(user="system:seed:local", verb="update", group="core.gardener.cloud",
                                 resource=resource, subresource=subresource, namespace="", name=name, code=200,
                                 timestamp="2026-01-01T00:00:00Z"))
    olga = env.client("olga")
    default = olga.get("/console/audit").text
    assert "seeds/status" not in default and "alpha" in default
    assert "seeds/status" in olga.get("/console/audit?heartbeats=1").text
    assert "alpha" not in olga.get("/console/audit?user=nobody").text
