"""The seed agent's flows: a small DAG engine (``graph``, ``engine``, ``records``) and the shoot flows built on it
(``reconcile``, ``delete``) with their steps. Called by ``seed.agent.reconcile``."""
