"""Server-side search, filters, sorting and paging of shoot rows (the shoots page and its htmx fragments).

Pure; called by ``garden.console.pages`` with the rows the viewer may see. Search follows the dashboard's syntax:
words are ANDed, ``"quoted phrases"`` match as one, ``-word`` excludes.
"""

from __future__ import annotations

import dataclasses
import math
import operator
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from garden.console.summary import ShootRow

# Sort key -> (the primary key, whether it runs high to low); ties keep (project, name) order.
SORTS: Mapping[str, tuple[Callable[[ShootRow], Any], bool]] = {
    "issues": (operator.attrgetter("issue"), True),
    "name": (operator.attrgetter("name"), False),
    "project": (operator.attrgetter("project"), False),
    "seed": (operator.attrgetter("seed"), False),
    "provider": (operator.attrgetter("provider", "region"), False),
    "version": (lambda r: _version_key(r.version), False),
    "state": (operator.attrgetter("state"), False),
    "progress": (operator.attrgetter("progress"), False),
    "age": (operator.attrgetter("created"), True),
}
PAGE_SIZES = (25, 50, 100, 200)


@dataclasses.dataclass(frozen=True)
class ShootQuery:
    search: str = ""
    issues_only: bool = False
    platform_only: bool = False  # hide clusters whose errors are all the user's to fix
    seed: str = ""
    project: str = ""
    state: str = ""
    provider: str = ""
    sort: str = "issues"
    descending: bool = False
    page: int = 1
    per_page: int = 50

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ShootQuery:
        sort = params.get("sort", "issues")
        per_page = _int(params.get("per_page"), 50)
        return cls(
            search=params.get("q", "").strip()[:200],
            issues_only=params.get("issues") in ("1", "on", "true"),
            platform_only=params.get("platform") in ("1", "on", "true"),
            seed=params.get("seed", ""), project=params.get("project", ""), state=params.get("state", ""),
            provider=params.get("provider", ""),
            sort=sort if sort in SORTS else "issues",
            descending=params.get("dir") == "desc",
            page=max(1, _int(params.get("page"), 1)),
            per_page=per_page if per_page in PAGE_SIZES else 50,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string of this query with ``changes`` (for links: next page, another sort)."""
        q = dataclasses.replace(self, **changes)
        out = {"q": q.search, "issues": "1" if q.issues_only else "", "platform": "1" if q.platform_only else "",
               "seed": q.seed, "project": q.project, "state": q.state, "provider": q.provider,
               "sort": q.sort if q.sort != "issues" else "", "dir": "desc" if q.descending else "",
               "page": str(q.page) if q.page != 1 else "", "per_page": str(q.per_page) if q.per_page != 50 else ""}
        return {k: v for k, v in out.items() if v}


@dataclasses.dataclass(frozen=True)
class Page:
    rows: list[ShootRow]
    total: int
    matched: int
    page: int
    pages: int


def run(rows: Sequence[ShootRow], query: ShootQuery, *, presorted: bool = False) -> Page:
    """One page of ``rows`` matching ``query``; ``presorted`` when ``rows`` are in the query's order already."""
    all_rows = rows
    matched = filtered(rows, query)
    if not presorted:
        matched = ordered(matched, query.sort, query.descending)
    pages = max(1, math.ceil(len(matched) / query.per_page))
    page = min(query.page, pages)
    start = (page - 1) * query.per_page
    return Page(rows=matched[start:start + query.per_page], total=len(all_rows), matched=len(matched), page=page,
                pages=pages)


def search_terms(text: str) -> tuple[list[str], list[str]]:
    """(required, excluded) lower-case terms of a search."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.replace('"', " ").split()
    required = [w.lower() for w in words if not w.startswith("-") and w]
    excluded = [w[1:].lower() for w in words if w.startswith("-") and len(w) > 1]
    return required, excluded


def ordered(rows: Iterable[ShootRow], sort: str, descending: bool) -> list[ShootRow]:
    """Stable passes with C-level keys: (project, name) first, then the sort's own key; ``descending`` flips it."""
    out = sorted(rows, key=operator.attrgetter("project", "name"))
    key, high_first = SORTS[sort]
    if sort != "project":
        out.sort(key=key, reverse=high_first)
    if descending:
        out.reverse()
    return out


def filtered(rows: Sequence[ShootRow], q: ShootQuery) -> list[ShootRow]:
    """The rows matching every filter of ``q``, in their order; one pass per filter that is set."""
    out = list(rows)
    if q.issues_only:
        out = [r for r in out if r.issue]
    if q.platform_only:
        out = [r for r in out if r.error_kind != "user"]
    if q.seed:
        out = [r for r in out if r.seed == q.seed]
    if q.project:
        out = [r for r in out if r.project == q.project]
    if q.state:
        out = [r for r in out if r.state == q.state]
    if q.provider:
        out = [r for r in out if r.provider == q.provider]
    required, excluded = search_terms(q.search)
    for term in required:
        out = [r for r in out if term in r.text]
    for term in excluded:
        out = [r for r in out if term not in r.text]
    return out


def facets(rows: Sequence[ShootRow]) -> dict[str, list[str]]:
    """The values each filter can take among ``rows`` (for the filter dropdowns)."""
    return {
        "seed": sorted({r.seed for r in rows if r.seed}),
        "project": sorted({r.project for r in rows}),
        "state": sorted({r.state for r in rows}),
        "provider": sorted({r.provider for r in rows if r.provider}),
    }


def _version_key(version: str) -> tuple[int, ...]:
    out = []
    for part in version.split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        out.append(int(digits) if digits else 0)
    return tuple(out)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default
