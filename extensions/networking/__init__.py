"""The built-in networking extensions: Calico (``extensions.networking.calico``) and Cilium
(``extensions.networking.cilium``), each its own plugin; the actuator they share is ``extensions.networking.cni``."""
