"""Error mapping: every failure becomes one typed exception carrying Asana's own words."""

from __future__ import annotations

import pytest

from categories.asana import (
    NO_RETRIES,
    AsanaAuthError,
    AsanaBadRequest,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
)
from tests.support.fake_asana import (
    CATEGORY,
    CATEGORY_PATH,
    TRANSPORT_FAILURES,
    FakeAsana,
    TransportFailure,
    asana_fixture,  # noqa: F401 - provides the `asana` fixture
    error_json,
)

PHRASE = "6 sad squid snuggle softly"


@pytest.fixture(autouse=True)
def _no_retries(asana: FakeAsana) -> None:
    """Mapping is tested on single attempts; tests/asana/test_retries.py covers resending."""
    asana.use_policy(NO_RETRIES)


def fail_get(asana: FakeAsana) -> AsanaError:
    """Call get_category and return the error it raised."""
    with pytest.raises(AsanaError) as raised:
        asana.client.get_category(CATEGORY)
    return raised.value


@pytest.mark.parametrize(
    ("status", "message", "error_type"),
    [
        (400, "name: Missing input", AsanaBadRequest),
        (401, "Not Authorized", AsanaAuthError),
        (402, "This feature requires a premium plan.", AsanaBadRequest),
        (403, "You do not have access to time tracking categories.", AsanaForbidden),
        (404, "time_tracking_category: Not a recognized ID: 1201", AsanaNotFound),
        (429, "You have made too many requests recently.", AsanaRateLimited),
        (500, "Server Error", AsanaUnavailable),
        (502, "Bad Gateway", AsanaUnavailable),
        (503, "Service Unavailable", AsanaUnavailable),
        (504, "Gateway Timeout", AsanaUnavailable),
    ],
)
def test_http_error_maps_to_its_typed_exception_with_asanas_message(
    asana: FakeAsana, status: int, message: str, error_type: type[AsanaError]
) -> None:
    asana.reply("GET", CATEGORY_PATH, error_json(message), status=status)

    error = fail_get(asana)

    assert type(error) is error_type
    assert (error.status, error.message, error.errors) == (status, message, [message])
    assert error.help.startswith("For more information")
    assert str(error) == f"{status} {message}"


def test_400_names_the_field_from_asanas_message(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, error_json("name: Missing input"), status=400)

    error = fail_get(asana)

    assert isinstance(error, AsanaBadRequest)
    assert error.field == "name"


def test_400_without_a_field_prefix_names_no_field(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, error_json("The result is too large."), status=400)

    error = fail_get(asana)

    assert isinstance(error, AsanaBadRequest)
    assert error.field == ""


@pytest.mark.parametrize(
    ("header", "retry_after"),
    [("42", 42.0), ("1.5", 1.5), ("soon", 0.0), ("nan", 0.0), ("inf", 0.0), ("-3", 0.0)],
)
def test_429_carries_retry_after_from_the_header_when_it_is_a_number_of_seconds(
    asana: FakeAsana, header: str, retry_after: float
) -> None:
    asana.reply(
        "GET", CATEGORY_PATH, error_json("Too many"), status=429, headers={"Retry-After": header}
    )

    error = fail_get(asana)

    assert isinstance(error, AsanaRateLimited)
    assert error.retry_after == retry_after


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_keeps_asanas_phrase_and_says_the_request_was_sent(
    asana: FakeAsana, status: int
) -> None:
    asana.reply("GET", CATEGORY_PATH, error_json("Server Error", phrase=PHRASE), status=status)

    error = fail_get(asana)

    assert isinstance(error, AsanaUnavailable)
    assert (error.phrase, error.request_sent) == (PHRASE, True)


def test_all_of_asanas_error_messages_are_kept_and_the_first_leads(asana: FakeAsana) -> None:
    body = {"errors": [{"message": "name: Missing input"}, {"message": "color: Not valid"}]}
    asana.reply("GET", CATEGORY_PATH, body, status=400)

    error = fail_get(asana)

    assert (error.message, error.errors) == (
        "name: Missing input",
        ["name: Missing input", "color: Not valid"],
    )


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, AsanaBadRequest), (401, AsanaAuthError), (404, AsanaNotFound), (500, AsanaUnavailable)],
)
def test_error_without_asanas_json_gets_a_message_of_ours(
    asana: FakeAsana, status: int, error_type: type[AsanaError]
) -> None:
    asana.reply("GET", CATEGORY_PATH, body="<html>nginx</html>", status=status)

    error = fail_get(asana)

    assert type(error) is error_type
    assert error.status == status
    assert error.message.startswith("Asana")


def test_non_json_200_is_unavailable_not_a_crash(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, body="<html>Captive portal</html>", status=200)

    error = fail_get(asana)

    assert isinstance(error, AsanaUnavailable)
    assert (error.status, error.request_sent) == (200, True)
    assert "not Asana's JSON" in error.message


def test_json_200_without_data_is_unavailable_not_a_crash(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, {"message": "hello from a proxy"}, status=200)

    error = fail_get(asana)

    assert isinstance(error, AsanaUnavailable)
    assert error.status == 200


def test_non_json_502_is_unavailable_and_names_the_status(asana: FakeAsana) -> None:
    asana.reply("GET", CATEGORY_PATH, body="<html>Bad Gateway</html>", status=502)

    error = fail_get(asana)

    assert isinstance(error, AsanaUnavailable)
    assert error.message == "Asana answered with HTTP 502."


TRANSPORT_MESSAGES = {
    "ReadTimeout": "Asana did not answer in time.",
    "ConnectTimeout": "Asana did not answer in time.",
    "ConnectionRefused": "Could not connect to Asana.",
    "NameNotResolved": "Could not connect to Asana.",
    "ConnectionDropped": "Could not connect to Asana.",
}


@pytest.mark.parametrize("failure", TRANSPORT_FAILURES, ids=str)
def test_transport_failure_is_unavailable_and_says_whether_asana_may_have_seen_it(
    asana: FakeAsana, failure: TransportFailure
) -> None:
    asana.fail("GET", CATEGORY_PATH, failure.make())

    error = fail_get(asana)

    assert isinstance(error, AsanaUnavailable)
    assert (error.status, error.message) == (None, TRANSPORT_MESSAGES[failure.name])
    assert error.request_sent is failure.reached
