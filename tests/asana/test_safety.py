"""Timeouts on every request, the token kept secret, one log line per call, gids checked."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable

import pytest
import requests

from categories.asana import NO_RETRIES, AsanaClient, AsanaError, RetryPolicy
from tests.support.fake_asana import (
    BASE_URL,
    CATEGORY,
    CATEGORY_PATH,
    OPERATIONS,
    TOKEN,
    TRANSPORT_FAILURES,
    FakeAsana,
    Operation,
    TransportFailure,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    category_json,
    error_json,
    run,
)

CLIENT_LOGGER = "categories.asana"
ERROR_STATUSES = [400, 401, 402, 403, 404, 429, 500, 502, 503, 504]
FAILURE = {failure.name: failure for failure in TRANSPORT_FAILURES}


def exposed_text(error: BaseException) -> str:
    """All an exception can show: str, repr, args, attributes, traceback, whole chain."""
    parts = ["".join(traceback.format_exception(error))]
    pending: list[BaseException | None] = [error]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        request = getattr(current, "request", None)
        if request is not None:
            parts.append(repr(dict(request.headers)))
        pending += [current.__cause__, current.__context__]
    return "\n".join(parts)


def leaky(failure: TransportFailure) -> requests.RequestException:
    """The failure as `requests` might word it if it quoted the header it sent."""
    error = failure.make()
    error.args = (*error.args, f"Authorization: Bearer {TOKEN}")
    return error


def raised_by(call: Callable[[], object]) -> AsanaError:
    with pytest.raises(AsanaError) as raised:
        call()
    return raised.value


# --- timeouts --------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", OPERATIONS, ids=str)
def test_every_request_is_sent_with_a_connect_and_a_read_timeout(
    asana: FakeAsana, operation: Operation
) -> None:
    run(asana, operation)

    (request,) = asana.sent
    assert request.req_kwargs["timeout"] == (3.05, 10.0)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("timeout", "sent"), [(2.0, (2.0, 2.0)), (30.0, (3.05, 30.0))])
def test_the_read_timeout_is_configurable_and_the_connect_timeout_stays_short(
    asana: FakeAsana, timeout: float, sent: tuple[float, float]
) -> None:
    asana.client = asana.make_client(timeout=timeout)
    asana.reply("GET", CATEGORY_PATH, {"data": category_json()})

    asana.client.get_category(CATEGORY)

    assert asana.sent[0].req_kwargs["timeout"] == sent  # type: ignore[attr-defined]


def test_a_retried_request_keeps_its_timeout(asana: FakeAsana) -> None:
    asana.fail("GET", CATEGORY_PATH, FAILURE["ReadTimeout"].make())
    asana.reply("GET", CATEGORY_PATH, {"data": category_json()})

    asana.client.get_category(CATEGORY)

    assert [r.req_kwargs["timeout"] for r in asana.sent] == [(3.05, 10.0)] * 2  # type: ignore[attr-defined]


# --- the token -------------------------------------------------------------------------------


def test_the_token_is_sent_only_as_a_bearer_header(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, {"data": category_json()})

    asana.client.get_category(CATEGORY)

    (request,) = asana.sent
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in request.url


@pytest.mark.parametrize("pasted", [f"{TOKEN}\n", f"  {TOKEN} \r\n"], ids=["newline", "spaces"])
def test_a_token_pasted_with_surrounding_whitespace_is_sent_trimmed(
    asana: FakeAsana, pasted: str
) -> None:
    asana.client = asana.make_client(token=pasted)
    asana.reply("GET", CATEGORY_PATH, {"data": category_json()})

    asana.client.get_category(CATEGORY)

    assert asana.sent[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_token_is_not_in_the_clients_repr(asana: FakeAsana) -> None:
    assert TOKEN not in repr(asana.client)
    assert TOKEN not in str(asana.client)
    assert BASE_URL in repr(asana.client)


def wrap_leaky_failure() -> None:
    try:
        raise leaky(FAILURE["ReadTimeout"])
    except requests.RequestException as cause:
        raise AsanaError(message="wrapped") from cause


def test_the_leak_detector_finds_a_token_anywhere_down_an_exception_chain() -> None:
    error = raised_by(wrap_leaky_failure)

    assert TOKEN in exposed_text(error)
    assert TOKEN not in str(error)


@pytest.mark.parametrize("status", ERROR_STATUSES)
def test_the_token_is_in_no_http_error(asana: FakeAsana, status: int) -> None:
    asana.use_policy(NO_RETRIES)
    asana.reply("GET", CATEGORY_PATH, error_json("Nope"), status=status)

    error = raised_by(lambda: asana.client.get_category(CATEGORY))

    assert TOKEN not in exposed_text(error)


def test_the_token_is_in_no_error_about_a_non_json_answer(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, body="<html>Bearer ?</html>")

    error = raised_by(lambda: asana.client.get_category(CATEGORY))

    assert TOKEN not in exposed_text(error)


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=str)
def test_the_token_is_in_no_transport_error_even_when_requests_quotes_it(
    asana: FakeAsana, failure: TransportFailure
) -> None:
    asana.fail("GET", CATEGORY_PATH, leaky(failure))

    error = raised_by(lambda: asana.client.get_category(CATEGORY))

    assert TOKEN not in exposed_text(error)


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture DEBUG and up from the root and every logger that exists."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_the_token_is_in_no_log_record(
    asana: FakeAsana, every_log: pytest.LogCaptureFixture
) -> None:
    for operation in OPERATIONS:
        run(asana, operation)
    for failure in TRANSPORT_FAILURES:
        asana.fail("DELETE", CATEGORY_PATH, leaky(failure))
        with pytest.raises(AsanaError):
            asana.client.delete_category(CATEGORY)
    asana.reply("PUT", CATEGORY_PATH, error_json("name: Missing input"), status=400)
    with pytest.raises(AsanaError):
        asana.client.update_category(CATEGORY, name="")

    formatter = logging.Formatter("%(name)s %(message)s %(args)s")
    records = every_log.records
    assert len(records) >= len(OPERATIONS) + len(TRANSPORT_FAILURES) + 1
    for record in records:
        assert TOKEN not in formatter.format(record)
        assert TOKEN not in repr(vars(record))


# --- logging ---------------------------------------------------------------------------------


def slow_answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
    time.sleep(0.02)
    return 200, {}, '{"data": {"gid": "1", "name": "Slow", "color": "red"}}'


def test_each_call_logs_one_line_with_method_path_status_duration_and_attempts(
    asana: FakeAsana, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=CLIENT_LOGGER)
    asana.reply("GET", CATEGORY_PATH, error_json("Server Error"), status=500)
    asana.mock.add_callback("GET", BASE_URL + CATEGORY_PATH, callback=slow_answer)

    asana.client.get_category(CATEGORY)

    (record,) = [r for r in caplog.records if r.name == CLIENT_LOGGER]
    method, path, status, duration_ms, attempts = record.args  # type: ignore[misc]
    assert (method, path, status, attempts) == ("GET", CATEGORY_PATH, 200, 2)
    assert 20 <= duration_ms < 5000
    assert record.getMessage().startswith(f"asana GET {CATEGORY_PATH} -> 200 in ")
    assert record.getMessage().endswith(" ms, 2 attempt(s)")


@pytest.mark.parametrize(
    ("make_answer", "status", "attempts"),
    [
        (lambda asana: asana.reply("GET", CATEGORY_PATH, error_json("x"), status=404), 404, 1),
        (
            lambda asana: asana.fail("GET", CATEGORY_PATH, FAILURE["ConnectTimeout"].make()),
            "ConnectTimeout",
            RetryPolicy().max_retries + 1,
        ),
    ],
    ids=["404", "ConnectTimeout"],
)
def test_a_failed_call_logs_one_line_with_its_last_status_and_all_attempts(
    asana: FakeAsana,
    caplog: pytest.LogCaptureFixture,
    make_answer: Callable[[FakeAsana], None],
    status: int | str,
    attempts: int,
) -> None:
    caplog.set_level(logging.INFO, logger=CLIENT_LOGGER)
    make_answer(asana)

    raised_by(lambda: asana.client.get_category(CATEGORY))

    (record,) = [r for r in caplog.records if r.name == CLIENT_LOGGER]
    _method, _path, logged_status, _duration_ms, logged_attempts = record.args  # type: ignore[misc]
    assert (logged_status, logged_attempts) == (status, attempts)


# --- gids ------------------------------------------------------------------------------------

BAD_GIDS = [
    "",
    "abc",
    "12a",
    "-1",
    "1.5",
    " 1201",
    "1201\n",
    "12/34",
    "../1201",
    "1201?opt_pretty=true",
    "1201#fragment",
    "%31%32",
    "¹²³",  # superscript digits: str.isdigit() says yes
    "١٢٣",  # Arabic-Indic digits
    "１２３",  # full-width digits  # noqa: RUF001
]
GID_CALLS: list[Callable[[AsanaClient, str], object]] = [
    lambda client, gid: client.get_category(gid),
    lambda client, gid: client.update_category(gid, name="x"),
    lambda client, gid: client.delete_category(gid),
    lambda client, gid: client.category_entries_page(gid),
    lambda client, gid: list(client.iter_category_entries(gid)),
]


@pytest.mark.parametrize("gid", BAD_GIDS, ids=repr)
@pytest.mark.parametrize(
    "call", GID_CALLS, ids=["get", "update", "delete", "entries_page", "iter_entries"]
)
def test_a_non_digit_gid_raises_value_error_before_any_request(
    asana: FakeAsana, call: Callable[[AsanaClient, str], object], gid: str
) -> None:
    with pytest.raises(ValueError, match="digits"):
        call(asana.client, gid)

    assert asana.sent == []
