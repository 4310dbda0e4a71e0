"""Retries: idempotent calls are resent with backoff; a POST only when nothing can have happened."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest

from categories.asana import (
    AsanaClient,
    AsanaError,
    AsanaRateLimited,
    AsanaUnavailable,
    RetryPolicy,
)
from categories.asana.limiter import RequestBudget
from tests.support.fake_asana import (
    CATEGORY,
    CATEGORY_PATH,
    TRANSPORT_FAILURES,
    WORKSPACE,
    FakeAsana,
    TransportFailure,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    error_json,
)

Invoke = Callable[[AsanaClient], object]
# HTTP method -> (path, the call, Asana's success answer, its status).
CALLS: dict[str, tuple[str, Invoke, object, int]] = {
    "GET": (CATEGORY_PATH, lambda c: c.get_category(CATEGORY), {"data": category_json()}, 200),
    "PUT": (
        CATEGORY_PATH,
        lambda c: c.update_category(CATEGORY, name="Renamed"),
        {"data": category_json()},
        200,
    ),
    "DELETE": (CATEGORY_PATH, lambda c: c.delete_category(CATEGORY), {"data": {}}, 200),
    "POST": (
        "/time_tracking_categories",
        lambda c: c.create_category(workspace_gid=WORKSPACE, name="Design"),
        {"data": category_json()},
        201,
    ),
}
IDEMPOTENT = ["GET", "PUT", "DELETE"]
REACHED = [failure for failure in TRANSPORT_FAILURES if failure.reached]
NEVER_SENT = [failure for failure in TRANSPORT_FAILURES if not failure.reached]
SERVER_ERRORS = [500, 502, 503, 504]
DEFAULT = RetryPolicy()


def answer_with_status(
    asana: FakeAsana, method: str, status: int, retry_after: str | None = None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else None
    body = error_json("Too many requests" if status == 429 else "Server Error")
    asana.reply(method, CALLS[method][0], body, status=status, headers=headers)


def answer_with_failure(asana: FakeAsana, method: str, failure: TransportFailure) -> None:
    asana.fail(method, CALLS[method][0], failure.make())


def answer_with_success(asana: FakeAsana, method: str) -> None:
    path, _invoke, answer, status = CALLS[method]
    asana.reply(method, path, answer, status=status)


def call(asana: FakeAsana, method: str) -> object:
    return CALLS[method][1](asana.client)


def assert_sent_once_without_sleeping(asana: FakeAsana) -> None:
    assert len(asana.sent) == 1
    assert asana.sleeps == []


def assert_within_backoff(sleeps: list[float], policy: RetryPolicy = DEFAULT) -> None:
    """Sleep n lies in [ceiling/2, ceiling] with ceiling = min(cap, base * 2**(n-1))."""
    for attempt, slept in enumerate(sleeps, start=1):
        ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** (attempt - 1))
        assert ceiling / 2 <= slept <= ceiling, (attempt, slept)


# --- idempotent methods ----------------------------------------------------------------------


@pytest.mark.parametrize("status", SERVER_ERRORS)
@pytest.mark.parametrize("method", IDEMPOTENT)
def test_idempotent_call_retries_5xx_then_succeeds(
    asana: FakeAsana, method: str, status: int
) -> None:
    answer_with_status(asana, method, status)
    answer_with_success(asana, method)

    call(asana, method)

    assert [request.method for request in asana.sent] == [method, method]
    assert len(asana.sleeps) == 1
    assert_within_backoff(asana.sleeps)


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=str)
@pytest.mark.parametrize("method", IDEMPOTENT)
def test_idempotent_call_retries_timeouts_and_connection_errors_then_succeeds(
    asana: FakeAsana, method: str, failure: TransportFailure
) -> None:
    answer_with_failure(asana, method, failure)
    answer_with_failure(asana, method, failure)
    answer_with_success(asana, method)

    call(asana, method)

    assert len(asana.sent) == 3
    assert len(asana.sleeps) == 2
    assert_within_backoff(asana.sleeps)


@pytest.mark.parametrize("method", IDEMPOTENT)
def test_idempotent_call_retries_an_answer_that_is_not_json_then_succeeds(
    asana: FakeAsana, method: str
) -> None:
    path = CALLS[method][0]
    asana.reply(method, path, body="<html>Captive portal</html>", status=200)
    answer_with_success(asana, method)

    call(asana, method)

    assert [request.method for request in asana.sent] == [method, method]
    assert len(asana.sleeps) == 1


def test_post_is_not_resent_after_an_answer_that_is_not_json(asana: FakeAsana) -> None:
    asana.reply("POST", CALLS["POST"][0], body="<html>Proxy error</html>", status=200)

    with pytest.raises(AsanaUnavailable) as raised:
        call(asana, "POST")

    assert raised.value.request_sent
    assert len(asana.sent) == 1


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_get_gives_up_after_max_retries_and_raises(asana: FakeAsana, max_retries: int) -> None:
    asana.use_policy(RetryPolicy(max_retries=max_retries))
    answer_with_status(asana, "GET", 503)

    with pytest.raises(AsanaUnavailable) as raised:
        call(asana, "GET")

    assert raised.value.status == 503
    assert len(asana.sent) == max_retries + 1
    assert len(asana.sleeps) == max_retries


def test_backoff_grows_exponentially_and_is_jittered_within_bounds(asana: FakeAsana) -> None:
    policy = RetryPolicy(max_retries=5, backoff_base=0.5, backoff_cap=8.0)
    asana.use_policy(policy)
    answer_with_status(asana, "GET", 500)
    runs: list[list[float]] = []

    for _ in range(8):
        asana.sleeps.clear()
        with pytest.raises(AsanaUnavailable):
            call(asana, "GET")
        runs.append(list(asana.sleeps))

    for sleeps in runs:
        assert len(sleeps) == 5
        assert_within_backoff(sleeps, policy)
        assert sleeps == sorted(sleeps)
        assert sleeps[-1] > 4 * sleeps[0]
    # Jitter: the same attempt waits a different time from one call to the next.
    assert len({sleeps[0] for sleeps in runs}) > 1


# --- 429 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
def test_429_is_retried_after_waiting_retry_after_for_every_method(
    asana: FakeAsana, method: str
) -> None:
    answer_with_status(asana, method, 429, retry_after="7")
    answer_with_success(asana, method)

    call(asana, method)

    assert len(asana.sent) == 2
    (slept,) = asana.sleeps
    assert 7 <= slept <= 7 + DEFAULT.backoff_base / 2


def test_429_without_retry_after_backs_off(asana: FakeAsana) -> None:
    answer_with_status(asana, "GET", 429)
    answer_with_success(asana, "GET")

    call(asana, "GET")

    assert len(asana.sleeps) == 1
    assert_within_backoff(asana.sleeps)


class RecordingBudget(RequestBudget):
    """The process budget, remembering the pauses the client asks of it."""

    def __init__(self) -> None:
        super().__init__(sleep=lambda seconds: None)
        self.pauses: list[float] = []

    def hold_off(self, seconds: float) -> None:
        self.pauses.append(seconds)


@pytest.mark.parametrize(("retry_after", "pauses"), [("7", [7.0]), ("60", [60.0]), (None, [])])
def test_a_429_pauses_the_whole_token_budget_for_its_retry_after(
    asana: FakeAsana, retry_after: str | None, pauses: list[float]
) -> None:
    budget = RecordingBudget()
    asana.client = asana.make_client(budget=budget)
    answer_with_status(asana, "GET", 429, retry_after=retry_after)
    answer_with_success(asana, "GET")

    # A Retry-After too long to wait for raises: the page says when, and the budget waits.
    with contextlib.suppress(AsanaRateLimited):
        call(asana, "GET")

    assert budget.pauses == pauses


@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
def test_retry_after_above_max_retry_after_raises_rate_limited_at_once(
    asana: FakeAsana, method: str
) -> None:
    answer_with_status(asana, method, 429, retry_after="60")

    with pytest.raises(AsanaRateLimited) as raised:
        call(asana, method)

    assert raised.value.retry_after == 60
    assert_sent_once_without_sleeping(asana)


@pytest.mark.parametrize(
    "retry_after", ["soon", "Wed, 21 Oct 2015 07:28:00 GMT", "nan", "inf", "-3", "0"]
)
def test_429_with_an_unusable_retry_after_backs_off_instead(
    asana: FakeAsana, retry_after: str
) -> None:
    answer_with_status(asana, "GET", 429, retry_after=retry_after)
    answer_with_success(asana, "GET")

    call(asana, "GET")

    assert len(asana.sleeps) == 1
    assert_within_backoff(asana.sleeps)


def test_429_that_persists_raises_rate_limited_after_max_retries(asana: FakeAsana) -> None:
    answer_with_status(asana, "GET", 429, retry_after="1")

    with pytest.raises(AsanaRateLimited) as raised:
        call(asana, "GET")

    assert raised.value.retry_after == 1
    assert len(asana.sent) == DEFAULT.max_retries + 1
    assert all(1 <= slept <= 1 + DEFAULT.backoff_base / 2 for slept in asana.sleeps)


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404])
@pytest.mark.parametrize("method", [*IDEMPOTENT, "POST"])
def test_client_errors_are_never_retried(asana: FakeAsana, method: str, status: int) -> None:
    answer_with_status(asana, method, status)
    answer_with_success(asana, method)

    with pytest.raises(AsanaError) as raised:
        call(asana, method)

    assert raised.value.status == status
    assert_sent_once_without_sleeping(asana)


# --- POST ------------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", NEVER_SENT, ids=str)
def test_post_is_retried_when_the_connection_was_never_made(
    asana: FakeAsana, failure: TransportFailure
) -> None:
    answer_with_failure(asana, "POST", failure)
    answer_with_success(asana, "POST")

    call(asana, "POST")

    assert [request.method for request in asana.sent] == ["POST", "POST"]
    assert_within_backoff(asana.sleeps)


@pytest.mark.parametrize("status", SERVER_ERRORS)
def test_post_is_not_resent_after_5xx(asana: FakeAsana, status: int) -> None:
    answer_with_status(asana, "POST", status)
    answer_with_success(asana, "POST")

    with pytest.raises(AsanaUnavailable) as raised:
        call(asana, "POST")

    assert (raised.value.status, raised.value.request_sent) == (status, True)
    assert_sent_once_without_sleeping(asana)


@pytest.mark.parametrize("failure", REACHED, ids=str)
def test_post_is_not_resent_after_a_read_timeout_or_an_ambiguous_connection_error(
    asana: FakeAsana, failure: TransportFailure
) -> None:
    answer_with_failure(asana, "POST", failure)
    answer_with_success(asana, "POST")

    with pytest.raises(AsanaUnavailable) as raised:
        call(asana, "POST")

    assert raised.value.request_sent is True
    assert_sent_once_without_sleeping(asana)


@pytest.mark.parametrize("failure", NEVER_SENT, ids=str)
def test_post_never_sent_that_keeps_failing_says_nothing_reached_asana(
    asana: FakeAsana, failure: TransportFailure
) -> None:
    answer_with_failure(asana, "POST", failure)

    with pytest.raises(AsanaUnavailable) as raised:
        call(asana, "POST")

    assert raised.value.request_sent is False
    assert len(asana.sent) == DEFAULT.max_retries + 1
