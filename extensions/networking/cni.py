"""The Network actuator the CNI plugins share: their manifests kept applied in the shoot's own API.

Used by ``extensions.networking.calico`` and ``cilium`` with their renderers. What was applied is kept in the
Network's ``status.state`` so that a component switched off is deleted and a delete removes exactly that; the
status reports the IP families and a ``SystemComponentsHealthy`` condition from the CNI's DaemonSet and
Deployments in the shoot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from extensions.contract import JSON, Context, ExtensionObject, Outcome
from extensions.networking.kube import NAMESPACE
from extensions.sdk import BaseActuator, health, manifests
from shoot import errors

Renderer = Callable[[ExtensionObject, Context], list[JSON]]


class CniActuator(BaseActuator):
    def __init__(self, *, render: Renderer, daemonset: str, deployments: Callable[[ExtensionObject], Sequence[str]]):
        self.render = render
        self.daemonset = daemonset
        self.deployments = deployments

    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        api = ctx.shoot_api()
        rendered = self.render(obj, ctx)
        previous = (obj.state.get("objects") or []) if isinstance(obj.state.get("objects"), list) else []
        try:
            applied = manifests.apply_all(api, rendered, previous=previous)
        except errors.PermanentError as exc:
            if "does not serve" not in exc.message:
                raise
            # A CRD just created is served a moment later on a real API server: its objects can wait.
            raise errors.TemporaryError(exc.message, delay=2.0) from None
        families = list(obj.spec.get("ipFamilies") or ["IPv4"])
        return Outcome(state={"objects": applied}, status={"ipFamilies": families},
                       conditions=self._conditions(ctx, obj))

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        refs = obj.state.get("objects")
        try:
            api = ctx.shoot_api()
            manifests.delete_all(api, refs if isinstance(refs, list) else [manifests.ref(m) for m in
                                                                             self.render(obj, ctx)])
        except errors.TemporaryError as exc:
            # Everything lives in the shoot's own store, which goes with its control plane.
            ctx.log.info("the shoot's API is not serving (%s): nothing of %s to delete outside it", exc, obj.type)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        return self._conditions(ctx, obj)

    def _conditions(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        api = ctx.shoot_api()
        checks = [health.daemonset_condition(api, NAMESPACE, self.daemonset)]
        checks += [health.deployment_condition(api, NAMESPACE, name, kind="SystemComponentsHealthy")
                   for name in self.deployments(obj)]
        return [health.combined("SystemComponentsHealthy", checks, old=obj.status.get("conditions") or [])]
