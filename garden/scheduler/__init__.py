"""The garden scheduler's pure placement core: seed filters, strategies, and ``choose_seed``.

The scheduler controller feeds it Shoot, Seed and CloudProfile wire dicts and writes the result to
``shoots/binding``; nothing here does I/O.
"""

from garden.scheduler.placement import Decision, FilterOutcome, PreparedSeeds, choose_seed, prepare_seeds

__all__ = ["Decision", "FilterOutcome", "PreparedSeeds", "choose_seed", "prepare_seeds"]
