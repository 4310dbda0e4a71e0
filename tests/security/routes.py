"""Every URL the dashboard serves, found from the URL resolver (so new views are covered).

Each route says what its view requires (`required_capability`, set by the decorators in
categories.access.decorators) and how to build a concrete path for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from categories.access.decorators import required_capability

# Open to everyone: signing in and out (with a password, or with Asana: its start, its
# callback, and in demo mode the sandbox's approval page, which stands in for Asana's), and
# the probes a load balancer polls. The admin guards its own URLs. Static files never reach
# a view (WhiteNoise serves them first).
PUBLIC = frozenset(
    {
        "login",
        "logout",
        "asana_sign_in",
        "asana_sign_in_callback",
        "sandbox_oauth_authorize",
        "healthz",
        "readyz",
    }
)
SKIPPED_NAMESPACES = frozenset({"admin"})


@dataclass(frozen=True)
class Route:
    name: str
    view: Any
    parameters: tuple[str, ...]

    @property
    def capability(self) -> str | None:
        return required_capability(self.view)

    def path(self, **values: str) -> str:
        kwargs = {name: values.get(name) or sample_value(name) for name in self.parameters}
        return reverse(self.name, kwargs=kwargs)

    def __str__(self) -> str:  # pytest ids
        return self.name


def sample_value(parameter: str) -> str:
    """A value the URL converter accepts; gids are replaced by real ones where it matters."""
    if parameter == "extension":
        return "csv"
    return "1209000000000001" if "gid" in parameter else "1"


def all_routes() -> list[Route]:
    return sorted(_walk(get_resolver().url_patterns, namespace=""), key=lambda r: r.name)


def protected_routes() -> list[Route]:
    return [route for route in all_routes() if route.name not in PUBLIC]


def routes_needing(capability: str) -> list[Route]:
    return [route for route in protected_routes() if route.capability == capability]


def _walk(patterns: list[Any], namespace: str, inherited: tuple[str, ...] = ()) -> Iterator[Route]:
    for entry in patterns:
        parameters = (*inherited, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, parameters)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}{entry.name}", entry.callback, parameters)
