"""The local seed cluster's simulated controllers, scheduler and kubelet, in the spirit of KWOK.

``Simulation`` runs them against one ``ApiServer`` (the local seed cluster's, or a shoot's own API); ``Delays``
says how long each simulated step takes. Wired in by ``seed.local.server.create_local_seed``.
"""

from seed.local.sim.controller import Delays
from seed.local.sim.simulation import Simulation

__all__ = ["Delays", "Simulation"]
