"""The jobs screens: choose and confirm a move or a merge, then follow the job (progress,
cancel, undo, retry). Category admins only; every write is a POST starting a job."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from categories.access.decorators import category_admin_required
from categories.asana import AsanaError, Workspace
from categories.jobs import selectors, services
from categories.jobs.forms import MergeForm, MoveForm, range_days
from categories.jobs.models import Job
from categories.selectors import category_get
from categories.web.htmx import render_screen
from categories.web.identity import current_workspace, request_identity

PROGRESS_TARGET = "job-progress"


def _workspace(request: HttpRequest) -> Workspace:
    workspace = current_workspace(request)
    if workspace is None:
        raise Http404("No Asana workspace is chosen.")
    return workspace


def _acting_as(request: HttpRequest) -> str:
    """Whose Asana identity the job's writes go out as: the dashboard's token's user."""
    try:
        return request_identity(request).user.name
    except AsanaError:
        return ""


def _job_or_404(pk: int) -> Job:
    job = selectors.job_get(pk=pk)
    if job is None:
        raise Http404("No such job.")
    return job


# --- moving chosen entries (entries table, time with no category) -----------------------------


@require_http_methods(["GET", "POST"])
@category_admin_required
def move_page(request: HttpRequest) -> HttpResponse:
    """What a move would do. With a target chosen: the confirmation (N entries, H hours,
    from, to); without one (a row's Move link): the choice of target first."""
    workspace = _workspace(request)
    targets = selectors.move_targets(workspace_gid=workspace.gid)
    data = request.POST if request.method == "POST" else request.GET
    form = MoveForm(data, targets=targets)
    context: dict[str, Any] = {"form": form, "workspace": workspace}
    if not form.is_valid():
        return render(request, "jobs/move.html", context, status=422)
    source = form.cleaned_data["source"]
    context |= {
        "preview": selectors.move_preview(workspace_gid=workspace.gid, **form.preview_options()),
        "source_name": category_get(gid=source, reuse=True).name if source else "No category",
        "target_name": dict(form.fields["target"].choices).get(form.cleaned_data["target"]),
        "choosing": "target" not in data,
        "days": range_days(form.cleaned_data["start"], form.cleaned_data["end"]),
    }
    return render(request, "jobs/move.html", context)


@require_POST
@category_admin_required
def move_start_submit(request: HttpRequest) -> HttpResponse:
    workspace = _workspace(request)
    form = MoveForm(request.POST, targets=selectors.move_targets(workspace_gid=workspace.gid))
    if not form.is_valid():
        return render(request, "jobs/move.html", {"form": form, "workspace": workspace}, status=422)
    options = form.job_options()
    source = options["source_category_gid"]
    job = services.job_start(
        actor=request.user,
        kind=Job.Kind.MOVE if source else Job.Kind.TRIAGE,
        workspace_gid=workspace.gid,
        workspace_name=workspace.name,
        acting_as=_acting_as(request),
        source_category_name=category_get(gid=source, reuse=True).name if source else "",
        target_category_name=dict(form.fields["target"].choices)[options["target_category_gid"]],
        **options,
    )
    return redirect("job", pk=job.pk)


# --- merging a category (and delete with move) -------------------------------------------------


@require_http_methods(["GET", "POST"])
@category_admin_required
def merge_page(request: HttpRequest, gid: str) -> HttpResponse:
    """Merge a category into another: all of its entries, all dates. GET shows the choice
    with what will move; POST (the choice made) confirms or starts it."""
    workspace = _workspace(request)
    category = category_get(gid=gid)
    targets = selectors.move_targets(workspace_gid=workspace.gid)
    data = request.POST if request.method == "POST" else None
    initial = {"after": request.GET.get("after", Job.AfterMerge.ARCHIVE)}
    form = MergeForm(data, targets=targets, source=gid, initial=initial)
    preview = selectors.move_preview(
        workspace_gid=workspace.gid, source_gid=gid, start=None, end=None
    )
    context = {"form": form, "category": category, "preview": preview}
    if data is None:
        return render(request, "jobs/merge.html", context)
    if not form.is_valid():
        return render(request, "jobs/merge.html", context, status=422)
    target = form.cleaned_data["target"]
    after = form.cleaned_data["after"]
    job = services.job_start(
        actor=request.user,
        kind=Job.Kind.DELETE if after == Job.AfterMerge.DELETE else Job.Kind.MERGE,
        workspace_gid=workspace.gid,
        workspace_name=workspace.name,
        acting_as=_acting_as(request),
        source_category_gid=gid,
        source_category_name=category.name,
        target_category_gid=target,
        target_category_name=dict(form.fields["target"].choices)[target],
        after_merge=after,
    )
    return redirect("job", pk=job.pk)


# --- following a job ------------------------------------------------------------------------


@require_GET
@category_admin_required
def job_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/list.html", {"jobs": selectors.job_list()})


@require_GET
@category_admin_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress (polled by HTMX while the job runs; a reload link without JavaScript),
    then the summary, Undo and Retry failed; the journal with Asana's messages."""
    job = _job_or_404(pk)
    context = {
        "job": job,
        "progress": selectors.job_progress(job=job),
        "entries": selectors.job_entries(job=job),
        "children": list(job.children.all()),
    }
    return render_screen(
        request, "jobs/job.html", context, target=PROGRESS_TARGET, partial="jobs/_progress.html"
    )


@require_POST
@category_admin_required
def job_cancel_submit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    if services.job_cancel(job=job):
        messages.info(request, "Cancelling: the entries being written now finish, no others.")
    else:
        messages.warning(request, "This job has already finished.")
    return redirect("job", pk=job.pk)


@require_POST
@category_admin_required
def job_undo_submit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    if not job.is_finished or not job.done_count:
        messages.warning(request, "Only a finished job that moved entries can be undone.")
        return redirect("job", pk=job.pk)
    undo = services.job_undo(actor=request.user, job=job, acting_as=_acting_as(request))
    return redirect("job", pk=undo.pk)


@require_POST
@category_admin_required
def job_retry_submit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    if not job.is_finished or job.done_count + job.skipped_count >= job.total:
        messages.warning(request, "Nothing to retry: every entry of this job was settled.")
        return redirect("job", pk=job.pk)
    retry = services.job_retry_failed(actor=request.user, job=job, acting_as=_acting_as(request))
    return redirect("job", pk=retry.pk)


def job_url(job: Job) -> str:
    return reverse("job", kwargs={"pk": job.pk})
