"""describe(): every kind of Asana failure in plain words, with the status our answer carries."""

from __future__ import annotations

import pytest

from categories.asana import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
)
from categories.services import LostCreateNotFound, LostCreateUnverified
from categories.web.problems import describe

EVERY_KIND: list[AsanaError] = [
    AsanaBadRequest("name: Missing input", status=400, field="name"),
    AsanaBadRequest("This needs a higher Asana plan.", status=402),
    AsanaAuthError("Not Authorized", status=401),
    AsanaForbidden("Forbidden", status=403),
    AsanaNotFound("Not Found", status=404),
    AsanaRateLimited("Too many requests", status=429, retry_after=12),
    AsanaUnavailable("Server Error", status=500, phrase="6 sad squid snuggle softly"),
    AsanaUnavailable("Asana did not answer in time.", request_sent=True),
    AsanaUnavailable("Could not connect to Asana.", request_sent=False),
    LostCreateNotFound("Asana did not answer in time.", request_sent=True),
    LostCreateUnverified("Asana did not answer in time.", request_sent=True),
    AsanaError("Something else", status=500),
]


@pytest.mark.parametrize("error", EVERY_KIND, ids=lambda e: f"{type(e).__name__}-{e.status}")
def test_no_asana_failure_is_ever_answered_with_a_500(error: AsanaError) -> None:
    problem = describe(error)

    assert problem.status != 500
    assert 400 <= problem.status < 600
    assert problem.title
    assert problem.detail


def test_rate_limit_says_when_to_try_again_and_answers_429() -> None:
    problem = describe(AsanaRateLimited("Too many", status=429, retry_after=12.2))

    assert problem.status == 429
    assert problem.retry_after == 13
    assert problem.detail == "Asana is rate limiting requests; try again in 13 s."


def test_rate_limit_without_a_usable_retry_after_still_names_a_wait() -> None:
    problem = describe(AsanaRateLimited("Too many", status=429, retry_after=0))

    assert "try again in 30 s" in problem.detail


def test_server_error_is_unavailable_with_asanas_words_and_error_phrase() -> None:
    error = AsanaUnavailable(
        "Server Error",
        status=500,
        phrase="6 sad squid snuggle softly",
        errors=["Server Error"],
    )

    problem = describe(error)

    assert (problem.title, problem.status) == ("Asana is unavailable", 503)
    assert "Asana said “Server Error”" in problem.detail
    assert "error phrase “6 sad squid snuggle softly”" in problem.detail


def test_an_answer_that_never_came_says_what_happened_not_what_asana_said() -> None:
    problem = describe(AsanaUnavailable("Asana did not answer in time.", request_sent=True))

    assert problem.detail.startswith(
        "Asana is unavailable right now (Asana did not answer in time)"
    )
    assert "Asana said" not in problem.detail


def test_an_answer_that_is_not_asanas_json_is_not_quoted_as_asanas_words() -> None:
    error = AsanaUnavailable(
        "Asana answered with something that is not Asana's JSON.", status=200, request_sent=True
    )

    problem = describe(error)

    assert problem.status == 503
    assert "Asana said" not in problem.detail
    assert "not Asana's JSON" in problem.detail


def test_a_change_that_never_reached_asana_says_nothing_was_changed() -> None:
    refused = AsanaUnavailable("Could not connect to Asana.", request_sent=False)

    assert "nothing was changed" in describe(refused, operation="write").detail
    assert "nothing was changed" not in describe(refused, operation="read").detail


def test_bad_token_tells_an_admin_how_to_fix_it() -> None:
    problem = describe(AsanaAuthError("Not Authorized", status=401), for_admin=True)

    assert problem.title == "The Asana token is invalid or expired"
    assert problem.status == 502
    assert "ASANA_ACCESS_TOKEN" in problem.detail
    assert "asana_check" in problem.detail


def test_bad_token_tells_a_reviewer_to_ask_an_administrator() -> None:
    problem = describe(AsanaAuthError("Not Authorized", status=401), for_admin=False)

    assert "Ask an administrator" in problem.detail
    assert "ASANA_ACCESS_TOKEN" not in problem.detail


@pytest.mark.parametrize(
    ("operation", "scope"),
    [
        ("read", "time_tracking_categories:read"),
        ("write", "time_tracking_categories:write"),
        ("delete", "time_tracking_categories:delete"),
    ],
)
def test_forbidden_names_the_scope_the_operation_needs(operation: str, scope: str) -> None:
    problem = describe(AsanaForbidden("Forbidden", status=403), operation=operation)  # type: ignore[arg-type]

    assert problem.status == 403
    assert f"the token lacks the {scope} scope" in problem.detail
    assert "Asana said: Forbidden" in problem.detail


def test_forbidden_on_a_read_mentions_the_add_on_and_on_a_write_the_admin_role() -> None:
    forbidden = AsanaForbidden("Forbidden", status=403)

    assert "Timesheets & Budgets add-on" in describe(forbidden, operation="read").detail
    assert "workspace admin" in describe(forbidden, operation="write").detail


def test_the_older_writing_flag_still_means_a_write() -> None:
    problem = describe(AsanaForbidden("Forbidden", status=403), operation="write")

    assert "time_tracking_categories:write" in problem.detail


def test_not_found_says_the_category_no_longer_exists() -> None:
    problem = describe(AsanaNotFound("Not Found", status=404))

    assert problem.status == 404
    assert "no longer exists" in problem.detail


def test_refused_input_is_422_with_asanas_message() -> None:
    problem = describe(AsanaBadRequest("name: Missing input", status=400, field="name"))

    assert (problem.status, problem.detail) == (422, "name: Missing input")


def test_a_lost_create_that_asana_does_not_show_says_nothing_was_created() -> None:
    problem = describe(LostCreateNotFound("Asana did not answer in time.", request_sent=True))

    assert problem.status == 503
    assert "nothing was created. Try again." in problem.detail


def test_a_lost_create_that_could_not_be_checked_says_it_may_or_may_not_exist() -> None:
    problem = describe(LostCreateUnverified("Asana did not answer in time.", request_sent=True))

    assert problem.status == 503
    assert "may or may not have been created" in problem.detail
    assert "Look for it in the list" in problem.detail
