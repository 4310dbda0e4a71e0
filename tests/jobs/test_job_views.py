"""The jobs screens through Django's test client: choosing and confirming a move, a merge,
a job's page (progress, cancel, undo, retry), and who may see and use them."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from categories.jobs import engine
from categories.jobs.models import Job, JobEntry
from categories.jobs.services import job_start
from categories.models import AuditEntry
from categories.sandbox.models import SandboxEntry
from tests.jobs.conftest import SALES, design_to_sales, entries_of
from tests.support.sandbox import DESIGN, NORTHWIND
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
START = TODAY - dt.timedelta(days=29)


def entries_url(gid: str = DESIGN) -> str:
    return f"/categories/{gid}/entries/?start={START}&end={TODAY}"


def minutes_of(gids: list[str]) -> int:
    pks = [SandboxEntry.pk_from_gid(gid) for gid in gids]
    return sum(SandboxEntry.objects.filter(pk__in=pks).values_list("duration_minutes", flat=True))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def finished_job(admin, **options) -> Job:
    job = design_to_sales(admin, days=(TODAY - START).days, **options)
    engine.job_execute(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_an_admin_ticks_entries_on_the_category_table(admin_http) -> None:
    html = admin_http.get(entries_url()).content.decode()

    recent = [gid for gid in entries_of(DESIGN)][-3:]
    assert 'id="move-form"' in html
    assert f'name="entry" value="{recent[-1]}" form="move-form"' in html
    assert re.search(r"Select all \d+ entr(y|ies) matching this filter", html)
    assert '<option value="">No category</option>' in html
    assert f'<option value="{SALES}">Sales</option>' in html
    assert f'<option value="{DESIGN}">' not in html  # not into the category it is in
    assert f'href="/jobs/move/?source={DESIGN}&amp;start={START}&amp;end={TODAY}&amp;entry=' in html
    assert f'href="/jobs/merge/{DESIGN}/"' in html


def test_a_reviewer_sees_no_move_controls(reviewer_http) -> None:
    html = reviewer_http.get(entries_url()).content.decode()

    assert 'id="move-form"' not in html
    assert 'form="move-form"' not in html
    assert "/jobs/" not in html


def test_the_confirmation_says_exactly_what_will_happen(admin_http) -> None:
    chosen = entries_of(DESIGN)[-3:]

    response = admin_http.post(
        "/jobs/move/",
        {"source": DESIGN, "start": START, "end": TODAY, "entry": chosen, "target": SALES},
    )

    assert response.status_code == 200
    minutes = minutes_of(chosen)
    summary = text(response)
    assert (
        f"<strong>3</strong> entries, <strong>{minutes // 60}:{minutes % 60:02d}</strong> hours,"
        " from <strong>Design</strong> to <strong>Sales</strong>"
    ) in summary
    assert 'action="/jobs/move/start/"' in summary
    for gid in chosen:
        assert f'name="entry" value="{gid}"' in summary
    assert Job.objects.count() == 0  # nothing starts before the confirmation


def test_all_entries_matching_the_filter_and_no_category(admin_http) -> None:
    response = admin_http.post(
        "/jobs/move/", {"source": DESIGN, "start": START, "end": TODAY, "all": "1", "target": ""}
    )

    summary = text(response)
    assert "to <strong>No category</strong>" in summary
    assert 'name="all" value="1"' in summary


def test_nothing_ticked_is_a_clear_422_and_nothing_starts(admin_http) -> None:
    response = admin_http.post(
        "/jobs/move/", {"source": DESIGN, "start": START, "end": TODAY, "target": SALES}
    )

    assert response.status_code == 422
    assert "Tick at least one entry, or choose all entries." in text(response)
    assert Job.objects.count() == 0


def test_a_rows_move_link_asks_for_the_target_first(admin_http) -> None:
    entry = entries_of(DESIGN)[-1]

    response = admin_http.get(
        f"/jobs/move/?source={DESIGN}&start={START}&end={TODAY}&entry={entry}"
    )

    html = text(response)
    assert response.status_code == 200
    assert "Move 1 entry (" in html
    assert 'id="move-target"' in html
    assert f'name="entry" value="{entry}"' in html


def test_confirming_starts_a_job_on_the_queue_once_committed(
    admin_http, django_capture_on_commit_callbacks
) -> None:
    chosen = entries_of(DESIGN)[-2:]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_http.post(
            "/jobs/move/start/",
            {"source": DESIGN, "start": START, "end": TODAY, "entry": chosen, "target": SALES},
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.state, job.entry_gids) == (Job.Kind.MOVE, Job.State.QUEUED, chosen)
    assert (job.source_category_name, job.target_category_name) == ("Design", "Sales")
    assert job.acting_as  # whose Asana identity the writes go out as
    assert job.started_by_username == "cat-admin"
    queued = DBTaskResult.objects.get()
    assert queued.queue_name == "jobs"
    assert queued.args_kwargs["args"] == [job.pk]
    audit = AuditEntry.objects.get(pk=job.audit_entry_id)
    assert (audit.action, audit.outcome) == (AuditEntry.Action.JOB_MOVE, "pending")


def test_merge_page_counts_every_entry_and_archives_by_default(admin_http) -> None:
    response = admin_http.get(f"/jobs/merge/{SALES}/")

    html = text(response)
    count = len(entries_of(SALES))
    assert f"All <strong>{count}</strong> entries of “Sales”" in html
    assert re.search(r'<input type="radio" name="after" value="archive"[^>]*checked', html)


def test_merge_with_delete_starts_a_delete_with_move(admin_http) -> None:
    response = admin_http.post(f"/jobs/merge/{SALES}/", {"target": DESIGN, "after": "delete"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert (job.kind, job.after_merge) == (Job.Kind.DELETE, Job.AfterMerge.DELETE)
    assert (job.source_category_gid, job.target_category_gid) == (SALES, DESIGN)
    assert job.range_start is None  # every date


def test_merge_without_a_target_is_a_422_next_to_the_field(admin_http) -> None:
    response = admin_http.post(f"/jobs/merge/{SALES}/", {"target": "", "after": "archive"})

    assert response.status_code == 422
    assert 'id="merge-target-error"' in text(response)


def test_the_delete_confirmation_offers_to_move_the_time_first(admin_http) -> None:
    html = admin_http.get(f"/categories/{SALES}/confirm-delete/").content.decode()

    assert f'href="/jobs/merge/{SALES}/?after=delete"' in html


def test_a_running_jobs_progress_polls_itself_and_has_a_reload_link(
    admin_http, category_admin
) -> None:
    job = job_start(
        actor=category_admin,
        kind=Job.Kind.MOVE,
        workspace_gid=NORTHWIND,
        source_category_gid=DESIGN,
        target_category_gid=SALES,
        range_start=START,
        range_end=TODAY,
    )
    engine._plan(job, engine.asana_client())
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING)

    page = text(admin_http.get(f"/jobs/{job.pk}/"))
    fragment = text(admin_http.get(f"/jobs/{job.pk}/", **htmx("job-progress")))

    assert 'hx-trigger="every 1s"' in page
    assert 'id="job-reload"' in page
    assert 'id="job-cancel"' in page
    assert f'<strong id="job-total">{job.entries.count()}</strong>' in page
    assert "<html" not in fragment
    assert 'id="job-progress"' in fragment


def running_job(actor, *, worker: str) -> Job:
    job = job_start(
        actor=actor, kind=Job.Kind.MOVE, workspace_gid=NORTHWIND, source_category_gid=DESIGN,
        target_category_gid=SALES, range_start=START, range_end=TODAY,
    )  # fmt: skip
    engine._plan(job, engine.asana_client())
    first = JobEntry.objects.filter(job=job).first()
    JobEntry.objects.filter(pk=first.pk).update(state=JobEntry.State.DONE)
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, worker=worker, started_at=timezone.now() - dt.timedelta(seconds=5),
        heartbeat_at=timezone.now(),
    )  # fmt: skip
    return job


def test_a_job_whose_worker_died_says_it_is_paused_not_how_long_is_left(
    admin_http, category_admin
) -> None:
    host = engine.worker_name().rpartition(":")[0]
    dead = running_job(category_admin, worker=f"{host}:{2**22 + 1}")  # no such process
    alive = running_job(category_admin, worker=f"{host}:{os.getppid()}")  # our parent

    paused = text(admin_http.get(f"/jobs/{dead.pk}/"))
    going = text(admin_http.get(f"/jobs/{alive.pk}/"))

    assert 'id="job-worker-lost"' in paused
    assert "The next worker resumes it where it left off" in paused
    assert 'id="job-time-left"' not in paused
    assert 'id="job-worker-lost"' not in going
    assert 'id="job-time-left"' in going


def test_a_finished_job_shows_its_summary_undo_and_failures(admin_http, category_admin) -> None:
    job = finished_job(category_admin)
    first = JobEntry.objects.filter(job=job).earliest("id")
    JobEntry.objects.filter(pk=first.pk).update(state="failed", message="Asana said <no>")
    Job.objects.filter(pk=job.pk).update(failed_count=1, done_count=job.done_count - 1)

    html = text(admin_http.get(f"/jobs/{job.pk}/"))

    assert 'hx-trigger="every 1s"' not in html
    assert 'id="job-undo"' in html
    assert 'id="job-retry"' in html
    assert "Asana said &lt;no&gt;" in html


def test_undo_and_retry_start_new_jobs(admin_http, category_admin) -> None:
    job = finished_job(category_admin)

    undo = admin_http.post(f"/jobs/{job.pk}/undo/")

    child = Job.objects.get(parent=job)
    assert undo["Location"] == f"/jobs/{child.pk}/"
    assert child.kind == Job.Kind.UNDO
    assert (child.source_category_gid, child.target_category_gid) == (SALES, DESIGN)


def test_cancel_a_job_no_worker_has_started(admin_http, category_admin) -> None:
    job = job_start(
        actor=category_admin, kind=Job.Kind.MOVE, workspace_gid=NORTHWIND,
        source_category_gid=DESIGN, target_category_gid=SALES,
    )  # fmt: skip

    response = admin_http.post(f"/jobs/{job.pk}/cancel/")

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.state == Job.State.CANCELLED


JOB_URLS = [
    ("get", "/jobs/"),
    ("get", "/jobs/move/"),
    ("post", "/jobs/move/"),
    ("post", "/jobs/move/start/"),
    ("get", f"/jobs/merge/{SALES}/"),
    ("post", f"/jobs/merge/{SALES}/"),
    ("get", "/jobs/{pk}/"),
    ("post", "/jobs/{pk}/cancel/"),
    ("post", "/jobs/{pk}/undo/"),
    ("post", "/jobs/{pk}/retry/"),
]


@pytest.mark.parametrize(("method", "url"), JOB_URLS)
def test_a_time_reviewer_gets_403_on_every_job_endpoint(
    reviewer_http, category_admin, method: str, url: str
) -> None:
    job = job_start(
        actor=category_admin, kind=Job.Kind.MOVE, workspace_gid=NORTHWIND,
        source_category_gid=DESIGN, target_category_gid=SALES,
    )  # fmt: skip

    response = getattr(reviewer_http, method)(url.format(pk=job.pk), {"target": DESIGN})

    assert response.status_code == 403
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert Job.objects.count() == 1


def test_home_links_to_the_time_with_no_category(admin_http) -> None:
    html = admin_http.get("/").content.decode()

    assert 'id="home-uncategorised"' in html


def test_an_admin_files_uncategorised_time_from_its_screen(admin_http) -> None:
    url = f"/no-category/?start={TODAY - dt.timedelta(days=89)}&end={TODAY}"

    admin_html = admin_http.get(url).content.decode()

    assert 'id="move-form"' in admin_html
    assert 'form="move-form"' in admin_html
    assert 'name="source" value=""' in admin_html
    assert f'<option value="{DESIGN}">Design</option>' in admin_html


def test_a_reviewer_sees_no_filing_controls(reviewer_http) -> None:
    url = f"/no-category/?start={TODAY - dt.timedelta(days=89)}&end={TODAY}"

    html = reviewer_http.get(url).content.decode()

    assert "move-form" not in html


def test_filing_time_with_no_category_under_no_category_is_refused(admin_http) -> None:
    response = admin_http.post(
        "/jobs/move/", {"source": "", "start": START, "end": TODAY, "all": "1", "target": ""}
    )

    assert response.status_code == 422
    assert "The time is already there: choose another category." in text(response)
