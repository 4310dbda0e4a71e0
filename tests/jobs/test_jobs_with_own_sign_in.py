"""A job started by a person signed in with Asana writes as that person: with their own
sign-in (renewed when it expires), never with the deployment's token, and it stops when
their sign-in has ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from categories.jobs import engine
from categories.jobs.models import Job
from categories.sandbox.oauth import expire_access_tokens, revoke_grants
from tests.jobs.conftest import SALES, design_to_sales, entries_of, placement
from tests.support.asana_sign_in import PRIYA, sign_in_with_asana
from tests.support.sandbox import DESIGN

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


@pytest.fixture
def priya(client: Any, django_user_model: Any) -> Any:
    """Priya, signed in with Asana (a Northwind admin there)."""
    landed = sign_in_with_asana(client, PRIYA)
    assert landed.status_code == 302
    return django_user_model.objects.get(username=f"asana-{PRIYA}")


def start_move(actor: Any) -> Job:
    return design_to_sales(actor, days=10)


def run(job: Job) -> Job:
    engine.job_execute(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_job_started_by_a_person_signed_in_with_asana_runs_with_their_sign_in(
    priya: Any, client: Any
) -> None:
    job = run(start_move(priya))

    assert job.with_own_sign_in
    assert job.state == Job.State.DONE
    assert job.done_count > 0
    moved = [row.entry_gid for row in job.entries.all()]
    assert placement(moved) == {gid: [SALES] for gid in moved}
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "with the Asana sign-in of the person who started it" in page
    # People signed in with Asana are shown by name, not by their account's username.
    assert "Started by Priya Raman" in page
    assert "<td>Priya Raman <small" in client.get("/jobs/").content.decode()
    assert "<td>Priya Raman</td>" in client.get("/audit/").content.decode()


def test_an_expired_access_token_is_renewed_and_the_job_goes_on(priya: Any) -> None:
    job = start_move(priya)
    assert expire_access_tokens(user_gid=PRIYA) > 0

    job = run(job)

    assert job.state == Job.State.DONE
    assert job.failed_count == 0


def test_a_job_whose_starter_is_no_longer_signed_in_stops_without_writing(priya: Any) -> None:
    design_before = entries_of(DESIGN)
    job = start_move(priya)
    revoke_grants(user_gid=PRIYA)
    expire_access_tokens(user_gid=PRIYA)

    job = run(job)

    assert job.state == Job.State.FAILED
    assert "sign-in" in job.message
    assert entries_of(DESIGN) == design_before  # never written with another token


def test_a_local_account_runs_its_job_with_the_deployment_token(category_admin: Any) -> None:
    job = run(start_move(category_admin))

    assert not job.with_own_sign_in
    assert job.state == Job.State.DONE


def test_a_job_whose_starter_signed_out_never_falls_back_to_the_deployment_token(
    priya: Any, client: Any
) -> None:
    design_before = entries_of(DESIGN)
    job = start_move(priya)
    client.post("/accounts/logout/")

    job = run(job)

    assert job.state == Job.State.FAILED
    assert job.message == engine.SIGN_IN_ENDED
    assert entries_of(DESIGN) == design_before


def test_the_confirmation_says_the_job_writes_with_the_persons_own_sign_in(
    priya: Any, client: Any
) -> None:
    start, end = dt.date.today() - dt.timedelta(days=10), dt.date.today()

    page = client.get(
        f"/jobs/move/?source={DESIGN}&start={start}&end={end}&all=on&target={SALES}"
    ).content.decode()

    assert "Move " in page
    assert "The job writes as you, with your Asana sign-in: signing out stops it." in page
