"""``BaseActuator``: Gardener's lifecycle defaults, so that a plugin implements only what its kind needs.

Subclassed by every built-in actuator and by the skeleton ``hortus extension new`` writes. ``reconcile`` and
``delete`` are the author's; ``migrate`` keeps the state recorded so far (nothing seed-side to remove),
``restore`` rebuilds by reconciling, ``health`` reports nothing. Override any of them.
"""

from __future__ import annotations

from extensions.contract import JSON, Context, ExtensionObject, Outcome


class BaseActuator:
    def reconcile(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        raise NotImplementedError(f"{type(self).__name__} does not implement reconcile")

    def delete(self, ctx: Context, obj: ExtensionObject) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not implement delete")

    def migrate(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Nothing of this kind lives on the seed: keep the providerStatus and state for the destination."""
        return Outcome(provider_status=obj.status.get("providerStatus"), state=obj.state or None)

    def restore(self, ctx: Context, obj: ExtensionObject) -> Outcome:
        """Reconcile on the destination seed; ``obj.state`` holds what the source seed recorded."""
        return self.reconcile(ctx, obj)

    def health(self, ctx: Context, obj: ExtensionObject) -> list[JSON]:
        return []
