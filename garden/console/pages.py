"""The console's pages and htmx fragments: overview, shoots, shoot detail and actions, seeds, projects, extensions,
workers & queues, audit log.

Routes built by ``garden.console.app.install``. Each handler asks the gateway (the garden's authorizer) first, reads
shoots from the console's index and everything else through the API service, and renders a template.
"""

from __future__ import annotations

import collections
import time
import urllib.parse
from typing import Any

import anyio
from fastapi import Request, Response
from starlette.routing import Route

from apiserver import errors
from apiserver.auth import Attributes
from garden import audit
from garden.console import actions, charts, projects, query, summary, views
from garden.console.app import PREFIX, Console, Viewer
from garden.console.summary import ShootRow

JSON = dict[str, Any]
HEARTBEATS = (("seeds", "status"), ("leases", ""))


class Pages:
    def __init__(self, console: Console) -> None:
        self.c = console
        self.g = console.gateway

    # --- shared ---------------------------------------------------------------------------------------------

    async def rows(self, viewer: Viewer) -> list[ShootRow]:
        """The shoots the viewer may list, from the index (caught up with the change log first)."""
        rt = self.g.kind("shoots")
        self.g.authorize(viewer.user, Attributes(verb="list", group=rt.group, resource=rt.plural), rt)
        await anyio.to_thread.run_sync(self.c.index.refresh)
        rows = self.c.index.snapshot()
        if viewer.operator:
            return rows
        allowed = self.visible_namespaces(viewer, {r.namespace for r in rows})
        return [r for r in rows if r.namespace in allowed]

    def visible_namespaces(self, viewer: Viewer, namespaces: set[str]) -> set[str]:
        rt = self.g.kind("shoots")
        return {ns for ns in namespaces if self.g.visible(viewer.user, rt, {"metadata": {"namespace": ns}})}

    async def seeds(self, viewer: Viewer) -> list[JSON]:
        return sorted(await self.g.list(viewer.user, self.g.kind("seeds")), key=lambda s: s["metadata"]["name"])

    def render(self, request: Request, template: str, viewer: Viewer, **context: Any) -> Response:
        return self.c.render(request, template, viewer, **context)

    # --- overview ---------------------------------------------------------------------------------------------

    async def overview(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "overview.html", viewer, **await self._overview(viewer))

    async def overview_body(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "overview_body.html", viewer, **await self._overview(viewer))

    async def _overview(self, viewer: Viewer) -> JSON:
        rows = await self.rows(viewer)
        seeds = await self.seeds(viewer)
        now = time.time()
        by_state = collections.Counter(r.state for r in rows)
        states = [(s, by_state[s]) for s in summary.STATES if by_state[s]]
        states += [(s, n) for s, n in sorted(by_state.items()) if s not in summary.STATES]
        issues = sorted((r for r in rows if r.issue), key=lambda r: (-(r.issue_since or 0), r.project, r.name))
        namespaces = {r.namespace for r in rows}
        finished = [f for f in self.c.index.finished if viewer.operator or f.namespace in namespaces]
        on_seed = collections.Counter(r.seed for r in rows if r.seed)
        return {
            "total": len(rows), "issue_count": len(issues), "issues": issues[:12],
            "processing": sum(1 for r in rows if r.op_state == "Processing"),
            "state_chart": charts.donut(states, title="Shoots by state"),
            "seed_chart": charts.bars(sorted(on_seed.items()), title="Shoots by seed",
                                      href=f"{PREFIX}/shoots?seed="),
            "provider_chart": charts.bars(sorted(collections.Counter(r.provider for r in rows).items()),
                                          title="Shoots by provider", href=f"{PREFIX}/shoots?provider="),
            "version_chart": charts.bars(sorted(collections.Counter(r.version for r in rows).items()),
                                         title="Shoots by Kubernetes version", href=f"{PREFIX}/shoots?q="),
            "duration_chart": charts.durations([(f.finished, f.seconds, f.state) for f in finished],
                                               title="Operation durations over time", now=now),
            "finished_count": len(finished),
            "seeds": [views.seed_card(s, on_seed[s["metadata"]["name"]], now=now) for s in seeds],
        }

    # --- shoots -----------------------------------------------------------------------------------------------

    async def shoots(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "shoots.html", viewer, **await self._shoots(request, viewer))

    async def shoots_table(self, request: Request, viewer: Viewer) -> Response:
        context = await self._shoots(request, viewer)
        url = f"{PREFIX}/shoots" + (f"?{_qs(context['query'].params())}" if context["query"].params() else "")
        response = self.render(request, "shoots_table.html", viewer, **context)
        if request.headers.get("hx-request") and request.headers.get("hx-trigger") != "shoot-table":
            response.headers["HX-Push-Url"] = url
        return response

    async def _shoots(self, request: Request, viewer: Viewer) -> JSON:
        rows = await self.rows(viewer)
        q = query.ShootQuery.from_params(request.query_params)
        page = query.run(rows, q)
        seeds = {s["metadata"]["name"]: views.seed_ready(s) for s in await self.seeds(viewer)}
        return {"query": q, "page": page, "facets": query.facets(rows), "seed_ready": seeds,
                "sorts": list(query.SORTS), "page_sizes": query.PAGE_SIZES}

    async def shoot(self, request: Request, viewer: Viewer) -> Response:
        namespace, name = request.path_params["namespace"], request.path_params["name"]
        context = await self._shoot(viewer, namespace, name)
        return self.render(request, "shoot.html", viewer, **context)

    async def shoot_live(self, request: Request, viewer: Viewer) -> Response:
        namespace, name = request.path_params["namespace"], request.path_params["name"]
        try:
            context = await self._shoot(viewer, namespace, name, live_only=True)
        except errors.ApiError as exc:
            if exc.code != 404:
                raise
            return self.render(request, "shoot_gone.html", viewer, namespace=namespace, name=name)
        return self.render(request, "shoot_live.html", viewer, **context)

    async def _shoot(self, viewer: Viewer, namespace: str, name: str, *, live_only: bool = False,
                     flash: str = "", flash_error: str = "") -> JSON:
        rt = self.g.kind("shoots")
        shoot = await self.g.get(viewer.user, rt, namespace, name)
        row = summary.row(shoot)
        status = shoot.get("status") or {}
        context: JSON = {
            "shoot": shoot, "row": row, "status": status, "flash": flash, "flash_error": flash_error,
            "steps": views.timeline(status.get("lastOperationSteps") or [], now=time.time()),
            "actions": actions.offered(self.g, viewer.user, rt, shoot),
        }
        if live_only:
            return context
        history = [f for f in self.c.index.finished if f.namespace == namespace and f.name == name][-20:]
        audit_log = self.c.api.audit
        trail = []
        if viewer.operator and isinstance(audit_log, audit.AuditLog):
            flt = audit.AuditFilter(resource="shoots", namespace=namespace, name=name)
            trail = await anyio.to_thread.run_sync(lambda: audit_log.recent(20, flt))
        pods = None
        pods_note = "no seed pod access is configured in this process"
        backend = self.c.backends.pods
        if not row.seed:
            pods_note = "the shoot is not scheduled to a seed yet"
        elif backend is not None and viewer.operator:
            technical = str(status.get("technicalID") or f"shoot--{row.project}--{name}")
            pods = await anyio.to_thread.run_sync(lambda: backend.pods(row.seed, technical))
            if pods is None:
                pods_note = f"this process cannot reach seed {row.seed}"
        elif backend is not None:
            pods_note = "only garden operators see the seed namespace's pods"
        context.update(yaml_doc=views.manifest(shoot), history=list(reversed(history)), trail=trail, pods=pods,
                       pods_note=pods_note)
        return context

    async def shoot_action(self, request: Request, viewer: Viewer) -> Response:
        p = request.path_params
        namespace, name, action = p["namespace"], p["name"], p["action"]
        form = await request.form()
        confirm = form.get("confirm")
        rt = self.g.kind("shoots")
        htmx = bool(request.headers.get("hx-request"))
        try:
            said = await actions.perform(self.g, viewer.user, rt, namespace, name, action,
                                         confirm=confirm if isinstance(confirm, str) else "")
        except actions.ActionError as exc:
            if not htmx:
                raise errors.bad_request(str(exc)) from None
            return await self._action_answer(request, viewer, namespace, name, error=str(exc), status=422)
        except errors.ApiError as exc:
            if not htmx or exc.code == 404:
                raise
            return await self._action_answer(request, viewer, namespace, name,
                                             error=str(exc.status().get("message", "")), status=exc.code)
        if not htmx:
            return Response(status_code=303, headers={"Location": f"{PREFIX}/shoots/{namespace}/{name}"})
        return await self._action_answer(request, viewer, namespace, name, flash=said)

    async def _action_answer(self, request: Request, viewer: Viewer, namespace: str, name: str, *, flash: str = "",
                             error: str = "", status: int = 200) -> Response:
        try:
            context = await self._shoot(viewer, namespace, name, live_only=True, flash=flash, flash_error=error)
        except errors.ApiError as exc:
            if exc.code != 404:
                raise
            return self.render(request, "shoot_gone.html", viewer, namespace=namespace, name=name)
        response = self.render(request, "shoot_live.html", viewer, **context)
        response.status_code = status
        return response

    async def kubeconfig(self, request: Request, viewer: Viewer) -> Response:
        namespace, name = request.path_params["namespace"], request.path_params["name"]
        try:
            body = await actions.admin_kubeconfig(self.g, viewer.user, self.g.kind("shoots"), namespace, name)
        except actions.ActionError as exc:
            raise errors.ApiError(501, "NotImplemented", str(exc)) from None
        return Response(body, media_type="application/yaml", headers={
            "Content-Disposition": f'attachment; filename="{namespace}--{name}.kubeconfig"',
            "Cache-Control": "no-store"})

    # --- seeds ------------------------------------------------------------------------------------------------

    async def seeds_page(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "seeds.html", viewer, **await self._seeds(viewer))

    async def seeds_body(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "seeds_body.html", viewer, **await self._seeds(viewer))

    async def _seeds(self, viewer: Viewer) -> JSON:
        rows = await self.rows(viewer)
        seeds = await self.seeds(viewer)
        on_seed = collections.Counter(r.seed for r in rows if r.seed)
        issues = collections.Counter(r.seed for r in rows if r.seed and r.issue)
        now = time.time()
        names = [s["metadata"]["name"] for s in seeds]
        report, note = await self._queues(viewer, [f"seed.{n}" for n in names])
        return {"cards": [views.seed_card(s, on_seed[s["metadata"]["name"]], now=now,
                                          issues=issues[s["metadata"]["name"]]) for s in seeds],
                "queues": report.queues if report else {}, "queue_note": note}

    async def seed(self, request: Request, viewer: Viewer) -> Response:
        name = request.path_params["name"]
        rt = self.g.kind("seeds")
        seed = await self.g.get(viewer.user, rt, "", name)
        rows = [r for r in await self.rows(viewer) if r.seed == name]
        report, note = await self._queues(viewer, [f"seed.{name}"])
        card = views.seed_card(seed, len(rows), now=time.time(), issues=sum(1 for r in rows if r.issue))
        page = query.run(rows, query.ShootQuery(per_page=200))
        return self.render(request, "seed.html", viewer, seed=seed, card=card, page=page,
                           yaml_doc=views.manifest(seed), queues=report.queues if report else {}, queue_note=note)

    async def _queues(self, viewer: Viewer, names: list[str]) -> tuple[Any, str]:
        inspector = self.c.backends.queues
        if not viewer.operator:
            return None, "queue depths are shown to garden operators"
        if inspector is None:
            return None, "no broker is configured for this console process"
        report = await anyio.to_thread.run_sync(lambda: inspector.report(names))
        return report, ""

    # --- projects ---------------------------------------------------------------------------------------------

    async def projects_page(self, request: Request, viewer: Viewer) -> Response:
        found = sorted(await self.g.list(viewer.user, self.g.kind("projects")), key=lambda p: p["metadata"]["name"])
        rows = await self.rows(viewer)
        per_ns = collections.Counter(r.namespace for r in rows)
        issues = collections.Counter(r.namespace for r in rows if r.issue)
        return self.render(request, "projects.html", viewer,
                           projects=[projects.card(p, per_ns, issues) for p in found])

    async def project(self, request: Request, viewer: Viewer) -> Response:
        name = request.path_params["name"]
        project = await self.g.get(viewer.user, self.g.kind("projects"), "", name)
        namespace = projects.namespace_of(project)
        quotas = await projects.quota_use(self.g, viewer.user, namespace)
        rows = [r for r in await self.rows(viewer) if r.namespace == namespace]
        page = query.run(rows, query.ShootQuery(per_page=200))
        return self.render(request, "project.html", viewer, project=project,
                           card=projects.card(project, collections.Counter(r.namespace for r in rows),
                                              collections.Counter(r.namespace for r in rows if r.issue)),
                           members=projects.members(project), quotas=quotas, page=page)

    # --- extensions, workers, audit ------------------------------------------------------------------------

    async def extensions_page(self, request: Request, viewer: Viewer) -> Response:
        rt = self.g.kind("controllerregistrations")
        self.g.authorize(viewer.user, Attributes(verb="list", group=rt.group, resource=rt.plural), rt)
        rows = await self.rows(viewer)
        seeds = await self.seeds(viewer)
        plugins, problems = await anyio.to_thread.run_sync(views.extensions)
        return self.render(request, "extensions.html", viewer, plugins=plugins, problems=problems,
                           use=views.extension_use(rows, seeds))

    async def workers_page(self, request: Request, viewer: Viewer) -> Response:
        self.g.authorize_path(viewer.user, f"{PREFIX}/workers")
        seeds = [s["metadata"]["name"] for s in await self.seeds(viewer)]
        inspector = self.c.backends.queues
        report = None
        if inspector is not None:
            report = await anyio.to_thread.run_sync(lambda: inspector.report(["garden", *(f"seed.{n}" for n in seeds)]))
        return self.render(request, "workers.html", viewer, report=report)

    async def audit_page(self, request: Request, viewer: Viewer) -> Response:
        self.g.authorize_path(viewer.user, audit.PATH)
        audit_log = self.c.api.audit
        if not isinstance(audit_log, audit.AuditLog):
            raise errors.ApiError(501, "NotImplemented", "this garden keeps no audit log")
        q = request.query_params
        fields = {f: q[f] for f in ("user", "verb", "resource", "namespace", "name") if q.get(f)}
        show_heartbeats = q.get("heartbeats") in ("1", "on")
        failures = q.get("failures") in ("1", "on")
        flt = audit.AuditFilter(**fields, min_code=400 if failures else None)
        hide = () if show_heartbeats else HEARTBEATS
        events = await anyio.to_thread.run_sync(lambda: audit_log.recent(200, flt, hide))
        return self.render(request, "audit.html", viewer, events=events, filters=fields,
                           show_heartbeats=show_heartbeats, failures=failures)


def _qs(params: dict[str, str]) -> str:
    return urllib.parse.urlencode(params)


def routes(console: Console) -> list[Route]:
    p = Pages(console)
    page = console.page
    shoot = f"{PREFIX}/shoots/{{namespace}}/{{name}}"
    return [
        Route(f"{PREFIX}/", page(p.overview), methods=["GET"]),
        Route(f"{PREFIX}/overview/body", page(p.overview_body), methods=["GET"]),
        Route(f"{PREFIX}/shoots", page(p.shoots), methods=["GET"]),
        Route(f"{PREFIX}/shoots/table", page(p.shoots_table), methods=["GET"]),
        Route(shoot, page(p.shoot), methods=["GET"]),
        Route(f"{shoot}/live", page(p.shoot_live), methods=["GET"]),
        Route(f"{shoot}/actions/{{action}}", page(p.shoot_action, post=True), methods=["POST"]),
        Route(f"{shoot}/kubeconfig", page(p.kubeconfig, post=True), methods=["POST"]),
        Route(f"{PREFIX}/seeds", page(p.seeds_page), methods=["GET"]),
        Route(f"{PREFIX}/seeds/body", page(p.seeds_body), methods=["GET"]),
        Route(f"{PREFIX}/seeds/{{name}}", page(p.seed), methods=["GET"]),
        Route(f"{PREFIX}/projects", page(p.projects_page), methods=["GET"]),
        Route(f"{PREFIX}/projects/{{name}}", page(p.project), methods=["GET"]),
        Route(f"{PREFIX}/extensions", page(p.extensions_page), methods=["GET"]),
        Route(f"{PREFIX}/workers", page(p.workers_page), methods=["GET"]),
        Route(f"{PREFIX}/audit", page(p.audit_page), methods=["GET"]),
    ]

