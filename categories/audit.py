"""Writing the audit log around every category change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from categories.asana import AsanaError
from categories.models import AuditEntry


@contextmanager
def audited(
    *,
    actor: Any,
    action: str,
    workspace_gid: str = "",
    category_gid: str = "",
    category_name: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Iterator[AuditEntry]:
    """Record an attempted change, then its outcome.

    The block may fill in what only Asana's answer tells (a new gid, the stored values)
    on the yielded entry. Failures are logged too, with Asana's message, and re-raised.
    """
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "get_username", lambda: "")() or "anonymous",
        action=action,
        workspace_gid=workspace_gid,
        category_gid=category_gid,
        category_name=category_name,
        before=before or {},
        after=after or {},
    )
    try:
        yield entry
    except AsanaError as exc:
        _finish(entry, AuditEntry.Outcome.FAILED, exc.message)
        raise
    except Exception:
        _finish(entry, AuditEntry.Outcome.FAILED, "The dashboard failed before Asana answered.")
        raise
    else:
        _finish(entry, AuditEntry.Outcome.SUCCEEDED, "")


def _finish(entry: AuditEntry, outcome: str, error_message: str) -> None:
    entry.outcome = outcome
    entry.error_message = error_message
    entry.save()
