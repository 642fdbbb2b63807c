"""Every control-plane object of a shoot, in Gardener's deploy order.

``render(cp)`` is what a whole control plane consists of (tests validate it, the delete flow knows what to
remove); the seed agent's steps deploy the parts separately through the component modules.
"""

from __future__ import annotations

from shoot.controlplane import apiserver, controllers, etcd, policies
from shoot.controlplane.common import JSON
from shoot.controlplane.spec import ControlPlane


def render(cp: ControlPlane) -> list[JSON]:
    return [
        *policies.manifests(cp),
        apiserver.service(cp),
        *etcd.manifests(cp, "main"),
        *etcd.manifests(cp, "events"),
        *apiserver.manifests(cp),
        *controllers.kube_controller_manager(cp),
        *controllers.kube_scheduler(cp),
    ]
