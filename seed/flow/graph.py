"""A flow as data: named steps, the steps each one waits for, and the condition under which it is skipped.

Built by the shoot flows (``seed.flow.reconcile``, ``seed.flow.delete``) and run by ``seed.flow.engine``. A
``Flow`` checks itself when built: names unique, dependencies known, no cycles (Gardener's ``flow.Graph``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

C = TypeVar("C")


@dataclasses.dataclass(frozen=True)
class Step(Generic[C]):
    """One idempotent unit of work: ``fn(ctx)`` returns when its desired state holds, raises
    ``shoot.errors.TemporaryError`` while it does not yet (waiting) and ``PermanentError`` when it cannot."""

    name: str
    fn: Callable[[C], None]
    after: tuple[str, ...] = ()
    # Evaluated once the step's dependencies are done; a skipped step counts as done for its dependents and is
    # left out of the progress (Gardener's ``SkipIf``).
    skip_if: Callable[[C], bool] | None = None

    @classmethod
    def of(cls, name: str, fn: Callable[[C], None], *, after: Iterable[Step[C] | str] = (),
           skip_if: Callable[[C], bool] | None = None) -> Step[C]:
        return cls(name=name, fn=fn, after=tuple(a if isinstance(a, str) else a.name for a in after),
                   skip_if=skip_if)


class FlowDefinitionError(ValueError):
    """A flow that cannot run: a duplicate name, an unknown dependency or a cycle."""


class Flow(Generic[C]):
    """A named DAG of steps, in the order they were added (the order records are shown in)."""

    def __init__(self, name: str, steps: Sequence[Step[C]]) -> None:
        self.name = name
        self.steps = tuple(steps)
        self.by_name = {s.name: s for s in self.steps}
        names = [s.name for s in self.steps]
        for step_name in names:
            if names.count(step_name) > 1:
                raise FlowDefinitionError(f"flow {name!r}: step {step_name!r} is defined twice")
        for step in self.steps:
            for dep in step.after:
                if dep not in self.by_name:
                    raise FlowDefinitionError(f"flow {name!r}: step {step.name!r} waits for unknown step {dep!r}")
        self._check_acyclic()

    def _check_acyclic(self) -> None:
        state: dict[str, int] = {}  # 1 visiting, 2 done

        def visit(name: str, path: tuple[str, ...]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                cycle = " -> ".join((*path[path.index(name):], name))
                raise FlowDefinitionError(f"flow {self.name!r} has a cycle: {cycle}")
            state[name] = 1
            for dep in self.by_name[name].after:
                visit(dep, (*path, name))
            state[name] = 2

        for step in self.steps:
            visit(step.name, ())

    def dependents(self, name: str) -> list[str]:
        return [s.name for s in self.steps if name in s.after]

    def critical_path(self, cost: Callable[[str], float]) -> float:
        """The longest chain of ``cost`` through the graph: how long the flow takes with unlimited workers."""
        done: dict[str, float] = {}

        def finish(name: str) -> float:
            if name not in done:
                done[name] = cost(name) + max((finish(d) for d in self.by_name[name].after), default=0.0)
            return done[name]

        return max((finish(s.name) for s in self.steps), default=0.0)
