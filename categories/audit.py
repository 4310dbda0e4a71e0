"""Writing the audit log around every category change."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from categories.asana import AsanaError, AsanaUnavailable
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

    The entry is saved before Asana is asked, in its own statement: requests are not run
    in one transaction (no ATOMIC_REQUESTS), so a failed write's entry is never rolled back.
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
        _finish(entry, _outcome_of(exc), exc.message)
        raise
    except Exception:
        _finish(entry, AuditEntry.Outcome.FAILED, "The dashboard failed before Asana answered.")
        raise
    else:
        _finish(entry, AuditEntry.Outcome.SUCCEEDED, "")


def _outcome_of(error: AsanaError) -> str:
    # A request that left but got no answer at all (a timeout) may have been applied by
    # Asana: "failed" would be a guess, so the log says it does not know.
    if isinstance(error, AsanaUnavailable) and error.request_sent and error.status is None:
        return AuditEntry.Outcome.UNKNOWN
    return AuditEntry.Outcome.FAILED


def _finish(entry: AuditEntry, outcome: str, error_message: str) -> None:
    entry.outcome = outcome
    entry.error_message = error_message
    entry.save()
