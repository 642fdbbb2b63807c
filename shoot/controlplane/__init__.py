"""A shoot's control plane on the seed as Kubernetes manifests: etcd main and events, kube-apiserver,
kube-controller-manager, kube-scheduler, their Services, PodDisruptionBudgets and NetworkPolicies.

Pure rendering from a ``shoot.controlplane.spec.ControlPlane`` (built from the Shoot by ``ControlPlane.of``).
Called by the seed agent's deploy steps (one module per component, in Gardener's deploy order) and by tests
that validate every object against the Kubernetes OpenAPI schemas of the supported versions.
"""
