"""The one Asana client: HTTP, envelopes, pagination, errors and retries.

It knows Asana's REST API and nothing about Django views. Every call goes through
`AsanaClient.call`, which is where timeouts, retries, error mapping and logging live.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, TypeVar

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NameResolutionError, NewConnectionError

from .errors import (
    AsanaAuthError,
    AsanaError,
    AsanaRateLimited,
    AsanaUnavailable,
    PageAllowance,
    error_from_response,
)
from .limiter import Budget, RequestBudget
from .resources import (
    Category,
    Page,
    TimeEntry,
    TimeEntryDetail,
    User,
    Workspace,
    WorkspaceMembership,
    iterate_pages,
)
from .retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from .windows import fetch_windowed, stream_windowed

logger = logging.getLogger("categories.asana")

PAGE_LIMIT = 100
# The list answer leaves is_archived out unless asked for; the page needs it.
CATEGORY_FIELDS = "name,color,is_archived"
ENTRY_FIELDS = (
    "duration_minutes,entered_on,attributable_to.name,created_by.name,"
    "categories.name,categories.color"
)
ENTRY_DETAIL_FIELDS = (
    f"{ENTRY_FIELDS},description,billable_status,approval_status,task.name,created_at"
)
ME_FIELDS = "name,email,workspaces.name"
MEMBERSHIP_FIELDS = "workspace,workspace.name,is_admin,is_guest"

Params = Mapping[str, str | int | None]
T = TypeVar("T")


class AsanaClient:
    """A client for one token on one `requests.Session` (connections are reused)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        retry_policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        pool_size: int = 32,
        budget: Budget | None = None,
        sleep: Callable[[float], None] = time.sleep,
        token_renewer: Callable[[], str | None] | None = None,
    ) -> None:
        """`token_renewer`, for an OAuth token: asked once when Asana answers 401, it
        returns a new token to send the request again with, or None (the 401 stands)."""
        self.base_url = base_url.rstrip("/")
        self._token_renewer = token_renewer
        # A short connect timeout: a server that does not accept in 3 s is down.
        self.timeout = (min(3.05, timeout), timeout)
        self.retry_policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        # One budget per client, and the dashboard keeps one client per token per process:
        # every thread's requests count against the same concurrency and rate limits.
        self._budget: Budget = budget or RequestBudget()
        self._session = session or requests.Session()
        # As many pooled connections as threads may use at once, so none is thrown away.
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        # Mounted on the scheme only: a more specific mount (the demo sandbox) still wins.
        for scheme in ("https://", "http://"):
            self._session.mount(scheme, adapter)
        self._session.headers["Accept"] = "application/json"
        self.use_token(token)
        _settle_environment(self._session, self.base_url)

    def use_token(self, token: str) -> None:
        """Send `token` from now on (a refreshed OAuth access token replaces the old one)."""
        # Stripped: a token pasted with a newline makes `requests` refuse the header.
        self._session.headers["Authorization"] = f"Bearer {token.strip()}"

    def __repr__(self) -> str:
        # Never show the token, not even in a debugger or a log of the object.
        return f"AsanaClient(base_url={self.base_url!r})"

    # --- categories ----------------------------------------------------------------------

    def categories_page(
        self,
        *,
        workspace_gid: str,
        archived: bool = False,
        offset: str | None = None,
        limit: int = PAGE_LIMIT,
    ) -> Page[Category]:
        params = {
            "workspace": workspace_gid,
            "is_archived": "true" if archived else "false",
            "opt_fields": CATEGORY_FIELDS,
        }
        return self._page("/time_tracking_categories", params, Category.from_api, offset, limit)

    def iter_categories(self, *, workspace_gid: str, archived: bool = False) -> Iterator[Category]:
        return iterate_pages(
            lambda offset: self.categories_page(
                workspace_gid=workspace_gid, archived=archived, offset=offset
            )
        )

    def get_category(self, gid: str) -> Category:
        body = self.call("GET", f"/time_tracking_categories/{_gid(gid)}")
        return Category.from_api(body["data"])

    def create_category(
        self, *, workspace_gid: str, name: str, color: str | None = None
    ) -> Category:
        data: dict[str, Any] = {"workspace": workspace_gid, "name": name}
        if color is not None:
            data["color"] = color
        body = self.call("POST", "/time_tracking_categories", json={"data": data})
        return Category.from_api(body["data"])

    def update_category(
        self,
        gid: str,
        *,
        name: str | None = None,
        color: str | None = None,
        is_archived: bool | None = None,
    ) -> Category:
        """Send only the fields given: Asana leaves the others unchanged."""
        changes = {"name": name, "color": color, "is_archived": is_archived}
        data = {key: value for key, value in changes.items() if value is not None}
        body = self.call("PUT", f"/time_tracking_categories/{_gid(gid)}", json={"data": data})
        return Category.from_api(body["data"])

    def delete_category(self, gid: str) -> None:
        self.call("DELETE", f"/time_tracking_categories/{_gid(gid)}")

    # --- time entries --------------------------------------------------------------------

    def category_entries_page(
        self,
        gid: str,
        *,
        start_date: dt.date | None = None,
        end_date: dt.date | None = None,
        offset: str | None = None,
        limit: int = PAGE_LIMIT,
    ) -> Page[TimeEntry]:
        params = {
            "start_date": _iso(start_date),
            "end_date": _iso(end_date),
            "opt_fields": ENTRY_FIELDS,
        }
        path = f"/time_tracking_categories/{_gid(gid)}/time_tracking_entries"
        return self._page(path, params, TimeEntry.parser(), offset, limit)

    def iter_category_entries(
        self, gid: str, *, start_date: dt.date | None = None, end_date: dt.date | None = None
    ) -> Iterator[TimeEntry]:
        return iterate_pages(
            lambda offset: self.category_entries_page(
                gid, start_date=start_date, end_date=end_date, offset=offset
            )
        )

    def collect_category_entries(
        self,
        gid: str,
        *,
        start_date: dt.date,
        end_date: dt.date,
        executor: Executor | None = None,
        windows: int = 1,
        max_pages: int | None = None,
    ) -> list[TimeEntry]:
        """Every entry in the range. With an executor, `windows` disjoint date windows are
        fetched side by side and merged: the same entries, in the same order, as one query.

        `max_pages` bounds the requests this may cost (all windows together): past it,
        TooManyPages is raised instead of reading on."""
        return _collect_windowed(
            lambda start, end, offset: self.category_entries_page(
                gid, start_date=start, end_date=end, offset=offset
            ),
            start_date,
            end_date,
            executor=executor,
            windows=windows,
            max_pages=max_pages,
        )

    def stream_category_entries(
        self,
        gid: str,
        *,
        start_date: dt.date,
        end_date: dt.date,
        executor: Executor | None = None,
        windows: int = 1,
    ) -> Iterator[TimeEntry]:
        """Every entry in the range, one at a time as pages arrive, never all held at once
        (exports). With an executor, `windows` date windows are fetched side by side, a
        few pages ahead of the reader: the same entries, in the same order, as one query."""
        if executor is None or windows <= 1:
            return self.iter_category_entries(gid, start_date=start_date, end_date=end_date)
        return stream_windowed(
            lambda start, end, offset: self.category_entries_page(
                gid, start_date=start, end_date=end, offset=offset
            ),
            start_date,
            end_date,
            executor=executor,
            windows=windows,
        )

    def workspace_entries_page(
        self,
        *,
        workspace_gid: str,
        start_date: dt.date,
        end_date: dt.date,
        offset: str | None = None,
        limit: int = PAGE_LIMIT,
    ) -> Page[TimeEntry]:
        params = {
            "workspace": workspace_gid,
            "entered_on_start_date": _iso(start_date),
            "entered_on_end_date": _iso(end_date),
            "opt_fields": ENTRY_FIELDS,
        }
        return self._page("/time_tracking_entries", params, TimeEntry.parser(), offset, limit)

    def collect_workspace_entries(
        self,
        *,
        workspace_gid: str,
        start_date: dt.date,
        end_date: dt.date,
        executor: Executor | None = None,
        windows: int = 1,
        max_pages: int | None = None,
    ) -> list[TimeEntry]:
        """Every entry of the workspace in the range, whatever its category (or none): one
        listing instead of one per category, in `windows` date windows side by side.

        `max_pages` bounds the requests (all windows together): past it, TooManyPages."""
        return _collect_windowed(
            lambda start, end, offset: self.workspace_entries_page(
                workspace_gid=workspace_gid, start_date=start, end_date=end, offset=offset
            ),
            start_date,
            end_date,
            executor=executor,
            windows=windows,
            max_pages=max_pages,
        )

    def iter_workspace_entries(
        self, *, workspace_gid: str, start_date: dt.date, end_date: dt.date
    ) -> Iterator[TimeEntry]:
        return iterate_pages(
            lambda offset: self.workspace_entries_page(
                workspace_gid=workspace_gid, start_date=start_date, end_date=end_date, offset=offset
            )
        )

    def get_time_entry(self, gid: str) -> TimeEntryDetail:
        body = self.call(
            "GET",
            f"/time_tracking_entries/{_gid(gid)}",
            params={"opt_fields": ENTRY_DETAIL_FIELDS},
        )
        return TimeEntryDetail.from_api(body["data"])

    def update_time_entry(
        self,
        gid: str,
        *,
        categories: Sequence[str] | None = None,
        description: str | None = None,
        billable_status: str | None = None,
    ) -> TimeEntryDetail:
        """Send only the fields given (None: not sent), so a concurrent edit of another
        field survives. `categories` replaces the entry's: `[]` leaves it uncategorised,
        and Asana allows at most one. PUT is idempotent, so 5xx and 429 are retried; a
        refusal (400, 403 on a locked timesheet, 404) is raised as its typed error."""
        data: dict[str, Any] = {}
        if categories is not None:
            data["categories"] = [_gid(category) for category in categories]
        if description is not None:
            data["description"] = description
        if billable_status is not None:
            data["billable_status"] = billable_status
        body = self.call(
            "PUT",
            f"/time_tracking_entries/{_gid(gid)}",
            params={"opt_fields": ENTRY_DETAIL_FIELDS},
            json={"data": data},
        )
        return TimeEntryDetail.from_api(body["data"])

    # --- who am I ------------------------------------------------------------------------

    def me(self) -> User:
        body = self.call("GET", "/users/me", params={"opt_fields": ME_FIELDS})
        return User.from_api(body["data"])

    def workspace_memberships(self) -> list[WorkspaceMembership]:
        """The token's user's memberships, one per workspace (admin, guest or member)."""
        return list(
            iterate_pages(
                lambda offset: self._page(
                    "/users/me/workspace_memberships",
                    {"opt_fields": MEMBERSHIP_FIELDS},
                    WorkspaceMembership.from_api,
                    offset,
                    PAGE_LIMIT,
                )
            )
        )

    def workspaces_page(
        self, *, offset: str | None = None, limit: int = PAGE_LIMIT
    ) -> Page[Workspace]:
        return self._page("/workspaces", {"opt_fields": "name"}, Workspace.from_api, offset, limit)

    def iter_workspaces(self) -> Iterator[Workspace]:
        return iterate_pages(lambda offset: self.workspaces_page(offset=offset))

    # --- the one way out -----------------------------------------------------------------

    def _page(
        self,
        path: str,
        params: Params,
        parse: Callable[[dict[str, Any]], T],
        offset: str | None,
        limit: int,
    ) -> Page[T]:
        body = self.call("GET", path, params={**params, "limit": limit, "offset": offset})
        next_page = body.get("next_page") or {}
        return Page(
            items=[parse(item) for item in body.get("data") or ()],
            next_offset=next_page.get("offset") or None,
        )

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send one request (retrying per policy) and return Asana's decoded JSON body."""
        query = {key: value for key, value in (params or {}).items() if value is not None}
        started = time.monotonic()
        attempt = 0
        status: int | str = "-"
        renewed = False
        try:
            while True:
                attempt += 1
                try:
                    with self._budget.slot(method):
                        response = self._session.request(
                            method,
                            self.base_url + path,
                            params=query,
                            json=json,
                            timeout=self.timeout,
                        )
                except requests.RequestException as exc:
                    status = type(exc).__name__
                    error, retryable = _transport_error(method, exc)
                else:
                    status = response.status_code
                    outcome = self._interpret(response)
                    if not isinstance(outcome, AsanaError):
                        return outcome
                    if isinstance(outcome, AsanaRateLimited) and outcome.retry_after > 0:
                        # Everyone sending with this token waits, not only this request.
                        self._budget.hold_off(outcome.retry_after)
                    if isinstance(outcome, AsanaAuthError) and not renewed:
                        # A 401 changed nothing in Asana: sent again with a renewed token.
                        renewed = True
                        if self._renew_token():
                            continue
                    error, retryable = outcome, _may_retry(method, outcome)
                wait = self._wait_before_retry(error, attempt) if retryable else None
                if wait is None:
                    raise error
                self._sleep(wait)
        finally:
            logger.info(
                "asana %s %s -> %s in %.0f ms, %d attempt(s)",
                method,
                path,
                status,
                (time.monotonic() - started) * 1000,
                attempt,
            )

    def _renew_token(self) -> bool:
        new_token = self._token_renewer() if self._token_renewer else None
        if new_token:
            self.use_token(new_token)
        return bool(new_token)

    def _interpret(self, response: requests.Response) -> dict[str, Any] | AsanaError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.ok:
            # Every Asana success is an object with "data"; anything else is not Asana.
            if isinstance(body, dict) and "data" in body:
                return body
            return AsanaUnavailable(
                message="Asana answered with something that is not Asana's JSON.",
                status=response.status_code,
                request_sent=True,
            )
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_from_response(response.status_code, body, retry_after=retry_after)

    def _wait_before_retry(self, error: AsanaError, attempt: int) -> float | None:
        if attempt > self.retry_policy.max_retries:
            return None
        if error.status == 429:
            retry_after = getattr(error, "retry_after", None) or None
            return self.retry_policy.wait_for_rate_limit(attempt, retry_after)
        return self.retry_policy.backoff(attempt)


def _may_retry(method: str, error: AsanaError) -> bool:
    """429 is always safe to resend (Asana did nothing). Other unavailability (5xx, an
    answer that is not Asana's JSON) only for idempotent methods: a POST may have worked."""
    if error.status == 429:
        return True
    return isinstance(error, AsanaUnavailable) and method in IDEMPOTENT_METHODS


def _transport_error(method: str, exc: requests.RequestException) -> tuple[AsanaUnavailable, bool]:
    never_sent = _connection_never_made(exc)
    if isinstance(exc, requests.Timeout):
        message = "Asana did not answer in time."
    elif isinstance(exc, requests.ConnectionError):
        message = "Could not connect to Asana."
    else:
        message = "The request to Asana failed."
    error = AsanaUnavailable(message=message, request_sent=not never_sent)
    # A POST that may have reached Asana is not resent: it could create a duplicate.
    return error, method in IDEMPOTENT_METHODS or never_sent


def _connection_never_made(exc: BaseException) -> bool:
    """True when the request provably never left this machine (nothing could have happened)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NewConnectionError | NameResolutionError):
            return True
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
        pending.append(getattr(current, "reason", None))
        pending.append(current.__cause__)
        pending.append(current.__context__)
    return False


def _gid(gid: str) -> str:
    """Asana gids are digits; anything else must never reach a URL path."""
    text = str(gid)
    # isascii() too: str.isdigit() also accepts '¹²³', '١٢٣' and full-width digits.
    if not (text.isascii() and text.isdigit()):
        raise ValueError("An Asana gid is a string of digits.")
    return text


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _settle_environment(session: requests.Session, base_url: str) -> None:
    """Read the proxy and CA bundle settings of the environment (HTTPS_PROXY, NO_PROXY,
    REQUESTS_CA_BUNDLE...) once, for the one host this client talks to, instead of on
    every request: `requests` scans the whole environment per request otherwise, which
    costs more than the rest of its work on a small answer."""
    if not session.trust_env:
        return
    found = session.merge_environment_settings(
        base_url, proxies={}, stream=None, verify=None, cert=None
    )
    session.proxies.update(found["proxies"])
    session.verify = found["verify"]
    if found["cert"] is not None:
        session.cert = found["cert"]
    session.trust_env = False


def _collect_windowed(
    fetch_page: Callable[[dt.date, dt.date, str | None], Page[TimeEntry]],
    start_date: dt.date,
    end_date: dt.date,
    *,
    executor: Executor | None,
    windows: int,
    max_pages: int | None,
) -> list[TimeEntry]:
    """Every entry of a date-filtered listing: its windows side by side when there is an
    executor, all windows together spending at most `max_pages` requests."""
    allowance = PageAllowance(max_pages)

    def window(start: dt.date, end: dt.date) -> Iterator[TimeEntry]:
        def page(offset: str | None) -> Page[TimeEntry]:
            allowance.spend()
            return fetch_page(start, end, offset)

        return iterate_pages(page)

    if executor is None or windows <= 1:
        return list(window(start_date, end_date))
    return fetch_windowed(window, start_date, end_date, executor=executor, windows=windows)
