"""Server-side search, filters, sorting and paging of shoot rows (the shoots page and its htmx fragments).

Pure; called by ``garden.console.pages`` with the rows the viewer may see. Search follows the dashboard's syntax:
words are ANDed, ``"quoted phrases"`` match as one, ``-word`` excludes.
"""

from __future__ import annotations

import dataclasses
import math
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from garden.console.summary import ShootRow

SORTS: Mapping[str, Callable[[ShootRow], Any]] = {
    "issues": lambda r: (not r.issue, r.project, r.name),
    "name": lambda r: (r.name, r.project),
    "project": lambda r: (r.project, r.name),
    "seed": lambda r: (r.seed, r.project, r.name),
    "provider": lambda r: (r.provider, r.region, r.project, r.name),
    "version": lambda r: (_version_key(r.version), r.project, r.name),
    "state": lambda r: (r.state, r.project, r.name),
    "progress": lambda r: (r.progress, r.project, r.name),
    "age": lambda r: (-r.created, r.project, r.name),
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


def run(rows: Iterable[ShootRow], query: ShootQuery) -> Page:
    all_rows = list(rows)
    keep = _predicate(query)
    matched = [r for r in all_rows if keep(r)]
    matched.sort(key=SORTS[query.sort], reverse=query.descending)
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


def _predicate(q: ShootQuery) -> Callable[[ShootRow], bool]:
    required, excluded = search_terms(q.search)
    checks: list[Callable[[ShootRow], bool]] = []
    if q.issues_only:
        checks.append(lambda r: r.issue)
    if q.platform_only:
        checks.append(lambda r: r.error_kind != "user")
    for field in ("seed", "project", "state", "provider"):
        wanted = getattr(q, field)
        if wanted:
            checks.append(_equals(field, wanted))
    if required or excluded:
        def matches(r: ShootRow) -> bool:
            text = r.text()
            return all(t in text for t in required) and not any(t in text for t in excluded)
        checks.append(matches)
    return lambda r: all(check(r) for check in checks)


def _equals(field: str, wanted: str) -> Callable[[ShootRow], bool]:
    return lambda r: bool(getattr(r, field) == wanted)


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
