"""The console's wiring: one ``Console`` per garden app, its session handling, and the routes under ``/console/``.

``install`` is called by ``garden.app.create_app``; ``hortus up`` then plugs in ``Backends``. Every request is
authenticated from the session cookie through the garden's own authenticator, every POST must carry the session's
CSRF token (form field ``csrf`` or header ``X-CSRF-Token``) and come from the console's own origin. The pages
themselves are ``garden.console.pages``'.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import jinja2
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse
from starlette.routing import Route, Router

from apiserver import errors
from apiserver.context import UserInfo
from apiserver.server import ApiServer
from garden.auth import identities
from garden.console import backends as backends_module
from garden.console import filters, kubeconfigs, live, sessions
from garden.console.gateway import Gateway
from garden.console.index import ShootIndex
from garden.console.sessions import Session, SessionCodec

PREFIX = "/console"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
Handler = Callable[[Request, "Viewer"], Awaitable[Response]]


@dataclasses.dataclass(frozen=True)
class Viewer:
    user: UserInfo
    session: Session

    @property
    def operator(self) -> bool:
        return identities.is_operator(self.user)


class NeedLogin(Exception):
    pass


class Console:
    def __init__(self, api: ApiServer, *, session_key: bytes, secure_cookies: bool = True) -> None:
        self.api = api
        self.gateway = Gateway(api)
        self.index = ShootIndex(api.store)
        self.sessions = SessionCodec(session_key)
        self.backends = backends_module.Backends()
        self.secure_cookies = secure_cookies
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("garden.console", "templates"),
                                            autoescape=True)
        filters.install(self.templates)
        self._static = {p.name: p.read_bytes() for p in importlib.resources.files("garden.console").joinpath(
            "static").iterdir() if p.name.endswith(tuple(STATIC_TYPES))}

    # --- rendering -----------------------------------------------------------------------------------------

    def render(self, request: Request, template: str, viewer: Viewer | None, *, http_status: int = 200,
               headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        html = self.templates.get_template(template).render(
            request=request, viewer=viewer, prefix=PREFIX, now=time.time(), **context)
        return HTMLResponse(html, status_code=http_status, headers=headers)

    def error_page(self, request: Request, viewer: Viewer | None, exc: errors.ApiError) -> HTMLResponse:
        status = exc.status()
        return self.render(request, "error.html", viewer, http_status=exc.code, code=exc.code,
                           reason=status.get("reason", ""), message=status.get("message", ""))

    # --- sessions --------------------------------------------------------------------------------------------

    def viewer(self, request: Request) -> Viewer:
        session = self.sessions.read(request.cookies.get(sessions.COOKIE))
        if session is None:
            raise NeedLogin()
        user = self.api.authenticator.authenticate(session.token)
        if user is None:
            raise NeedLogin()
        return Viewer(user=user, session=session)

    def set_session(self, response: Response, cookie: str) -> None:
        response.set_cookie(sessions.COOKIE, cookie, max_age=int(self.sessions.lifetime), path=sessions.PATH,
                            httponly=True, samesite="strict", secure=self.secure_cookies)

    async def check_post(self, request: Request, expected_csrf: str) -> None:
        """CSRF: the session's token in the form or header, and no foreign Origin."""
        origin = request.headers.get("origin")
        if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
            raise errors.forbidden(f"cross-origin request from {origin} refused")
        given = request.headers.get("x-csrf-token")
        if not given and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf")
            given = value if isinstance(value, str) else None
        if not sessions.csrf_matches(expected_csrf, given):
            raise errors.forbidden("the request carries no valid CSRF token; reload the page and try again")

    # --- routes ---------------------------------------------------------------------------------------------

    def page(self, handler: Handler, *, post: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """A route that needs a logged-in viewer; API refusals become an error page (or fragment)."""

        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            try:
                viewer = self.viewer(request)
            except NeedLogin:
                return _to_login(request)
            try:
                if post:
                    await self.check_post(request, viewer.session.csrf)
                return await handler(request, viewer)
            except errors.ApiError as exc:
                return self.error_page(request, viewer, exc)

        return endpoint

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = self._static.get(name)
        if body is None:
            raise errors.path_not_found()
        return Response(body, media_type=STATIC_TYPES[Path(name).suffix],
                        headers={"Cache-Control": "public, max-age=3600"})

    async def login_form(self, request: Request) -> Response:
        nonce = sessions.csrf_token()
        response = self.render(request, "login.html", None, nonce=nonce, error=request.query_params.get("error", ""),
                               next=_safe_next(request.query_params.get("next")))
        response.set_cookie(sessions.LOGIN_COOKIE, nonce, max_age=600, path=sessions.PATH, httponly=True,
                            samesite="strict", secure=self.secure_cookies)
        return response

    async def login(self, request: Request) -> Response:
        async with request.form(max_files=1, max_fields=10) as form:
            nonce = request.cookies.get(sessions.LOGIN_COOKIE, "")
            given, next_value = form.get("csrf"), form.get("next")
            next_url = _safe_next(next_value if isinstance(next_value, str) else None)
            if not nonce or not sessions.csrf_matches(nonce, given if isinstance(given, str) else None):
                return self._login_failed(request, "the login form expired; try again", next_url)
            token, upload = form.get("token"), form.get("kubeconfig")
            text = token.strip() if isinstance(token, str) else ""
            if not text and upload is not None and not isinstance(upload, str):
                try:
                    text = kubeconfigs.token_of(await upload.read(kubeconfigs.MAX_BYTES + 1))
                except kubeconfigs.KubeconfigError as exc:
                    return self._login_failed(request, str(exc), next_url)
        if not text:
            return self._login_failed(request, "enter a garden token or choose a kubeconfig file", next_url)
        user = await anyio.to_thread.run_sync(lambda: self.api.authenticator.authenticate(text))
        if user is None:
            return self._login_failed(request, "the garden does not know this token (or it expired)", next_url)
        _session, cookie = self.sessions.new(text, user.name)
        response = RedirectResponse(next_url, status_code=303)
        self.set_session(response, cookie)
        response.delete_cookie(sessions.LOGIN_COOKIE, path=sessions.PATH)
        return response

    def _login_failed(self, request: Request, message: str, next_url: str) -> Response:
        nonce = sessions.csrf_token()
        response = self.render(request, "login.html", None, http_status=401, nonce=nonce, error=message, next=next_url)
        response.set_cookie(sessions.LOGIN_COOKIE, nonce, max_age=600, path=sessions.PATH, httponly=True,
                            samesite="strict", secure=self.secure_cookies)
        return response

    async def logout(self, request: Request, viewer: Viewer) -> Response:
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(sessions.COOKIE, path=sessions.PATH)
        return response

    async def events(self, request: Request) -> Response:
        try:
            viewer = self.viewer(request)
        except NeedLogin:
            return Response("log in first", status_code=401)
        shoots = self.gateway.kind("shoots")
        projects = self.gateway.kind("projects")

        def visible(key: str, obj: dict[str, Any]) -> bool:
            if key == shoots.key:
                return self.gateway.visible(viewer.user, shoots, obj)
            if key == projects.key:
                return self.gateway.visible(viewer.user, projects, obj)
            return True  # seeds: every identity may read them

        stream = live.events(self.api.feed, visible, current_rv=self.api.store.current_rv)
        return StreamingResponse(stream, media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _to_login(request: Request) -> Response:
    target = f"{PREFIX}/login?next={request.url.path}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _safe_next(value: str | None) -> str:
    """Only a path of the console itself (never another site) is a place to go back to after login."""
    if value and value.startswith(f"{PREFIX}/") and not value.startswith("//") and "\\" not in value:
        return value
    return f"{PREFIX}/"


def install(app: FastAPI, api: ApiServer, *, state_dir: Path, secure_cookies: bool = True) -> Console:
    """Serve the console under ``/console/`` and send browsers opening ``/`` there."""
    from garden.console import pages

    console = Console(api, session_key=sessions.key_for(state_dir), secure_cookies=secure_cookies)
    app.state.console = console
    router = Router(routes=[
        Route(PREFIX, lambda _request: RedirectResponse(f"{PREFIX}/", status_code=308), methods=["GET"]),
        Route(f"{PREFIX}/login", console.login_form, methods=["GET"]),
        Route(f"{PREFIX}/login", console.login, methods=["POST"]),
        Route(f"{PREFIX}/logout", console.page(console.logout, post=True), methods=["POST"]),
        Route(f"{PREFIX}/static/{{name}}", console.static, methods=["GET"]),
        Route(f"{PREFIX}/events", console.events, methods=["GET"]),
        *pages.routes(console),
    ])
    app.router.routes[0:0] = [Route("/", _root, methods=["GET"]), *router.routes]
    return console


async def _root(request: Request) -> Response:
    """Browsers go to the console; API clients keep the Status 404 the machinery answers for unknown paths."""
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"{PREFIX}/", status_code=303)
    raise errors.path_not_found()
