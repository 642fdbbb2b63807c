"""The bearer token of an uploaded kubeconfig (the console's "log in with a kubeconfig file").

Called by ``garden.console.app``'s login. Takes the current context's user (or the only user); only static tokens
are usable, since the console cannot run a client-side exec plugin or hold a client certificate.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 256 * 1024


class KubeconfigError(ValueError):
    """Why a kubeconfig cannot log in (shown on the login page)."""


def token_of(text: bytes) -> str:
    if len(text) > MAX_BYTES:
        raise KubeconfigError("the kubeconfig is larger than 256 KiB")
    try:
        config = yaml.safe_load(text)
    except yaml.YAMLError:
        raise KubeconfigError("the file is not a YAML kubeconfig") from None
    if not isinstance(config, dict):
        raise KubeconfigError("the file is not a YAML kubeconfig")
    user = _user(config)
    token = user.get("token")
    if isinstance(token, str) and token.strip():
        return token.strip()
    if user.get("exec") or user.get("auth-provider"):
        raise KubeconfigError("the kubeconfig's user logs in through a client plugin; the console needs a token")
    if user.get("client-certificate-data") or user.get("client-certificate"):
        raise KubeconfigError("the kubeconfig's user has a client certificate; the console needs a token")
    raise KubeconfigError("the kubeconfig's user has no token")


def _user(config: dict[str, Any]) -> dict[str, Any]:
    users = [u for u in config.get("users") or () if isinstance(u, dict)]
    contexts = [c for c in config.get("contexts") or () if isinstance(c, dict)]
    wanted = None
    current = config.get("current-context")
    for context in contexts:
        if context.get("name") == current:
            wanted = (context.get("context") or {}).get("user")
    if wanted is None and len(users) == 1:
        wanted = users[0].get("name")
    for user in users:
        if user.get("name") == wanted and isinstance(user.get("user"), dict):
            return dict(user["user"])
    raise KubeconfigError("the kubeconfig names no user for its current context")
