"""Console sessions: the garden token in an encrypted, signed, expiring cookie, and the CSRF token bound to it.

Used by ``garden.console.app``. The cookie is a Fernet token (AES-CBC + HMAC-SHA256, with its issue time) over
``{token, csrf, user, exp}``: the browser can neither read nor change it, and an expired one is refused. Every
request re-authenticates the garden token through the garden's authenticator, so a revoked token ends the session.
The key lives in the state directory (``console-session.key``, mode 0600) so sessions survive a restart.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "hortus_console"
LOGIN_COOKIE = "hortus_console_login"
PATH = "/console"
LIFETIME = 8 * 3600.0


@dataclasses.dataclass(frozen=True)
class Session:
    token: str
    csrf: str
    user: str
    expires: float


class SessionCodec:
    def __init__(self, key: bytes, *, lifetime: float = LIFETIME, clock: Callable[[], float] = time.time) -> None:
        self._fernet = Fernet(key)
        self.lifetime = lifetime
        self.clock = clock

    def new(self, token: str, user: str) -> tuple[Session, str]:
        """A fresh session (new CSRF token) and its cookie value."""
        session = Session(token=token, csrf=secrets.token_urlsafe(24), user=user,
                          expires=self.clock() + self.lifetime)
        doc = {"t": session.token, "c": session.csrf, "u": session.user, "e": session.expires}
        return session, self._fernet.encrypt(json.dumps(doc).encode()).decode()

    def read(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            doc = json.loads(self._fernet.decrypt(cookie.encode(), ttl=int(self.lifetime) + 1))
            session = Session(token=str(doc["t"]), csrf=str(doc["c"]), user=str(doc["u"]), expires=float(doc["e"]))
        except (InvalidToken, ValueError, KeyError, TypeError):
            return None
        return session if session.expires > self.clock() else None


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def key_for(state_dir: Path) -> bytes:
    """The state directory's session key, created on first use."""
    path = state_dir / "console-session.key"
    if path.exists():
        return path.read_bytes().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_bytes(key + b"\n")
    return key


def csrf_token() -> str:
    return secrets.token_urlsafe(24)
