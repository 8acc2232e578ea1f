"""Named hooks: how a higher part adds to a lower one's pages and steps without being imported.

A lower floor calls ``run("hook.name", ...)`` where it wants contributions (tabs on the case page,
panels on a dashboard, work after a subpoena is drafted); a higher floor registers a function for
that name from its ``AppConfig.ready``. Registration is keyed by ``name``, so registering twice
replaces, and results come back in registration order (``None`` results are left out).

The hooks in use, and what their functions take and give back, are listed in ``HOOKS``.
"""

from collections.abc import Callable
from typing import Any

HOOKS: dict[str, str] = {
    "case.tabs": "(complaint, user) -> list of (key, label, url) tabs after the case work tabs",
    "case.header_links": "(complaint, user) -> list of (label, url) links in the case header",
    "case.action_pages": "(complaint, user) -> {move action: url} pages that own a move on this case",
    "case.frozen": "(complaint) -> a reason no case work may be done on it any more, or None",
    "dashboard.panels": "(request) -> rendered HTML for the 'My work' dashboard, or None",
    "staff_home.panels": "(request) -> rendered HTML for the staff home page, or None",
    "subpoena.drafted": "(subpoena, actor) -> None; runs inside the drafting transaction",
    "subpoena.panels": "(request, subpoena) -> rendered HTML for the subpoena page, or None",
    "workflow.checks": "() -> iterable of (tracking_number, status, problem) contradictions",
    "import.worked_on": "(complaint ids) -> the ids among them worked on here since they were imported",
    "import.publish": "(complaint_ids=, actor=, reason=, progress=) -> a report of publishing imported cases",
}

_registry: dict[str, dict[str, Callable[..., Any]]] = {}


def register(hook: str, name: str, fn: Callable[..., Any]) -> None:
    if hook not in HOOKS:
        raise LookupError(f"Unknown hook {hook!r}; add it to oversight.hooks.HOOKS")
    _registry.setdefault(hook, {})[name] = fn


def run(hook: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Call every function registered for ``hook``; the results that are not ``None``."""
    if hook not in HOOKS:
        raise LookupError(f"Unknown hook {hook!r}")
    results = []
    for fn in _registry.get(hook, {}).values():
        result = fn(*args, **kwargs)
        if result is not None:
            results.append(result)
    return results
