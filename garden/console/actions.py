"""Shoot actions of the console: which are offered (and why one is not), and doing one as the viewer.

Called by ``garden.console.pages``. Every action is an ordinary API write through ``garden.console.gateway``
(Gardener's operation annotations, ``spec.hibernation.enabled``, the deletion confirmation then DELETE), so
authorization, admission and audit are the API's. Actions the platform does not carry out yet are offered
disabled with the reason, never pretended.
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import anyio

from apiserver import errors, paths
from apiserver.auth import Attributes
from apiserver.context import RequestContext, UserInfo
from apiserver.registry import ResourceType
from garden.console import summary
from garden.console.gateway import Gateway
from shoot.triggers import OPERATION
from shoot.validation.deletion import CONFIRMATION

JSON = dict[str, Any]
ADMIN_KUBECONFIG = "adminkubeconfig"
KUBECONFIG_SECONDS = 600
# Accepted by the API (Gardener's vocabulary) but not carried out by the seed agent yet.
NOT_BACKED = {
    "maintain": "the seed agent does not run maintenance operations yet (gardener.cloud/operation=maintain "
                "would be accepted and then ignored)",
    "rotate": "the seed agent does not rotate credentials yet (gardener.cloud/operation=rotate-credentials-start "
              "would be accepted and then ignored)",
}
LABELS = {"reconcile": "Reconcile", "retry": "Retry", "hibernate": "Hibernate", "wake": "Wake up",
          "maintain": "Maintain now", "rotate": "Rotate credentials", "kubeconfig": "Admin kubeconfig",
          "delete": "Delete"}


@dataclasses.dataclass(frozen=True)
class Action:
    name: str
    label: str
    enabled: bool
    reason: str = ""


class ActionError(Exception):
    """An action refused before it reached the API (e.g. a wrong typed name); shown to the viewer."""


def offered(gateway: Gateway, user: UserInfo, rt: ResourceType, shoot: JSON) -> list[Action]:
    md, spec = shoot["metadata"], shoot.get("spec") or {}
    namespace, name = md["namespace"], md["name"]
    last = (shoot.get("status") or {}).get("lastOperation") or {}
    may = {verb: gateway.allowed(user, Attributes(verb=verb, group=rt.group, resource=rt.plural, namespace=namespace,
                                                  name=name)) for verb in ("patch", "delete")}
    may_kubeconfig = gateway.allowed(user, Attributes(verb="create", group=rt.group, resource=rt.plural,
                                                      subresource=ADMIN_KUBECONFIG, namespace=namespace, name=name))
    deleting = bool(md.get("deletionTimestamp"))
    hibernated = summary.hibernation_enabled(spec)
    no_patch = "your project role does not allow changing this shoot"
    gone = "the shoot is being deleted"

    def patch_action(action: str, applies: bool, why_not: str) -> Action:
        if not may["patch"]:
            return Action(action, LABELS[action], False, no_patch)
        if deleting:
            return Action(action, LABELS[action], False, gone)
        return Action(action, LABELS[action], applies, "" if applies else why_not)

    out = [
        patch_action("reconcile", True, ""),
        patch_action("retry", last.get("state") == "Failed", "only a failed operation can be retried"),
        patch_action("hibernate", not hibernated, "the shoot is hibernated already")
        if not hibernated else patch_action("wake", True, ""),
        *(Action(a, LABELS[a], False, NOT_BACKED[a]) for a in ("maintain", "rotate")),
    ]
    if not may_kubeconfig:
        out.append(Action("kubeconfig", LABELS["kubeconfig"], False,
                          "your project role does not allow an admin kubeconfig"))
    elif (rt.key, ADMIN_KUBECONFIG) not in gateway.api.subresources:
        out.append(Action("kubeconfig", LABELS["kubeconfig"], False,
                          "the garden does not serve shoots/adminkubeconfig yet"))
    else:
        out.append(Action("kubeconfig", LABELS["kubeconfig"], True))
    if not may["delete"]:
        out.append(Action("delete", LABELS["delete"], False, "your project role does not allow deleting this shoot"))
    else:
        out.append(Action("delete", LABELS["delete"], not deleting, gone if deleting else ""))
    return out


async def perform(gateway: Gateway, user: UserInfo, rt: ResourceType, namespace: str, name: str, action: str,
                  *, confirm: str = "") -> str:
    """Do ``action``; returns what the viewer is told. API refusals propagate as ``errors.ApiError``."""
    if action in NOT_BACKED:
        raise ActionError(f"{LABELS[action]} is not available: {NOT_BACKED[action]}")
    if action in ("reconcile", "retry"):
        await gateway.patch(user, rt, namespace, name, {"metadata": {"annotations": {OPERATION: action}}})
        return f"{LABELS[action]} requested"
    if action in ("hibernate", "wake"):
        await gateway.patch(user, rt, namespace, name, {"spec": {"hibernation": {"enabled": action == "hibernate"}}})
        return "Hibernation requested" if action == "hibernate" else "Wake-up requested"
    if action == "delete":
        if confirm != name:
            raise ActionError(f'type the shoot\'s name "{name}" to confirm its deletion')
        await gateway.patch(user, rt, namespace, name, {"metadata": {"annotations": {CONFIRMATION: "true"}}})
        await gateway.delete(user, rt, namespace, name)
        return "Deletion requested"
    raise ActionError(f"unknown action {action!r}")


async def admin_kubeconfig(gateway: Gateway, user: UserInfo, rt: ResourceType, namespace: str, name: str) -> bytes:
    """A short-lived admin kubeconfig from ``shoots/adminkubeconfig`` (Gardener's AdminKubeconfigRequest)."""
    handler = gateway.api.subresources.get((rt.key, ADMIN_KUBECONFIG))
    if handler is None:
        raise ActionError("the garden does not serve shoots/adminkubeconfig yet")
    attrs = Attributes(verb="create", group=rt.group, resource=rt.plural, subresource=ADMIN_KUBECONFIG,
                       namespace=namespace, name=name)
    gateway.authorize(user, attrs, rt)
    body = {"apiVersion": "authentication.gardener.cloud/v1alpha1", "kind": "AdminKubeconfigRequest",
            "spec": {"expirationSeconds": KUBECONFIG_SECONDS}}
    target = paths.Target(rt=rt, namespace=namespace, name=name, subresource=ADMIN_KUBECONFIG)
    ctx = RequestContext(user=user)
    answer = await anyio.to_thread.run_sync(lambda: handler(gateway.api, target, "POST", body, ctx))
    encoded = ((answer or {}).get("status") or {}).get("kubeconfig")
    if not isinstance(encoded, str):
        raise errors.internal("shoots/adminkubeconfig answered without status.kubeconfig")
    return base64.b64decode(encoded)
