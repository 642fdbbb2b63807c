"""Kubernetes-style API machinery, written once.

The garden API (``garden.app``) and the local seed cluster (``seed.local``) build their HTTP APIs from the
resource registry, storage, patch, selector, watch, discovery and table pieces held here. This package knows
nothing of shoots or seeds.
"""
