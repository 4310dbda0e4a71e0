"""The categories screen, every change to a category, and the audit log page.

Each action works as a plain form post (redirect + message) and, with HTMX, swaps only
what changed: a row, the create form, the list panel, plus the message region. Views
parse input with a form, call a service (writes) or selector (reads) and render; every
view names its HTTP methods and its permission.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from categories import selectors, services
from categories.access.decorators import category_admin_required, viewer_required
from categories.access.roles import can_change_categories_in
from categories.asana import (
    AsanaBadRequest,
    AsanaError,
    AsanaNotFound,
    Category,
    color_label,
)
from categories.forms import AuditFilterForm, CategoryEditForm, CategoryFilterForm, CategoryForm
from categories.web.htmx import (
    remove_target,
    render_screen,
    render_swap,
    render_varying,
    wants_fragment,
)
from categories.web.identity import current_workspace, request_identity
from categories.web.middleware import asana_problem
from categories.web.problems import ProblemMessage, describe_for

TAB_LABELS: dict[selectors.CategoryState, str] = {
    "active": "Active",
    "archived": "Archived",
    "all": "All",
}
# How the list's heading counts what it shows: (one, many).
COUNT_NOUNS: dict[selectors.CategoryState, tuple[str, str]] = {
    "active": ("active category", "active categories"),
    "archived": ("archived category", "archived categories"),
    "all": ("category", "categories"),
}
PANEL = "category-panel"
# Out of band after every change: the message, and no dialog left open.
AFTER_CHANGE = "categories/_after_change.html"
AUDIT_PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def marks_deleted_rows(view: View) -> View:
    """A category deleted in Asana since the list was shown: say so, and with HTMX also
    replace its stale row (out of band) so nobody clicks on it again."""

    @wraps(view)
    def wrapped(request: HttpRequest, gid: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, gid, *args, **kwargs)
        except AsanaNotFound as error:
            return asana_problem(
                request, error, context={"gone_gid": gid}, oob=["categories/_gone_row.html"]
            )

    return wrapped


# --- the list ---------------------------------------------------------------------------


@require_GET
@viewer_required
def category_list_page(request: HttpRequest) -> HttpResponse:
    """Every category of the current workspace in one tab, optionally searched by name."""
    list_filter = CategoryFilterForm(request.GET).category_filter()
    workspace = current_workspace(request)
    listing = (
        selectors.category_list(
            workspace_gid=workspace.gid,
            state=list_filter.state,
            search=list_filter.search,
            refresh="refresh" in request.GET,
        )
        if workspace
        else None
    )
    context = {
        **_filter_context(list_filter),
        "categories": listing.categories if listing else [],
        "as_of": listing.as_of if listing else None,
        "tabs": _tabs(list_filter),
        "nouns": COUNT_NOUNS[list_filter.state],
        "clear_search_url": _list_url(selectors.CategoryFilter(state=list_filter.state)),
        "create_form": CategoryForm(id_prefix="new"),
    }
    return render_screen(
        request,
        "categories/list.html",
        context,
        target=PANEL,
        partial="categories/_panel.html",
        oob=["categories/_search_state.html"],
    )


# --- create -----------------------------------------------------------------------------


@require_GET
@category_admin_required
def category_new_page(request: HttpRequest) -> HttpResponse:
    """The create form on a page of its own (the list page also shows it inline)."""
    return render_varying(request, "categories/new.html", {"form": CategoryForm(id_prefix="new")})


@require_POST
@category_admin_required
def category_create_submit(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST, id_prefix="new")
    # Which list the person is looking at: the new row is added only if it belongs there.
    list_filter = CategoryFilterForm(request.POST).category_filter()
    if not form.is_valid():
        return _create_form_response(request, form, status=422)
    name, color = form.cleaned_data["name"], form.cleaned_data["color"]
    try:
        # Inside the try: even the workspace look-up failing must not lose the input.
        workspace = current_workspace(request)
        if workspace is None:
            form.add_error(None, "The Asana token sees no workspace to create the category in.")
            return _create_form_response(request, form, status=409)
        created = services.category_create(
            actor=request.user, workspace_gid=workspace.gid, name=name, color=color
        )
    except AsanaBadRequest as error:
        form.add_asana_refusal(error)
        return _create_form_response(request, form, status=422)
    except AsanaError as error:
        check_url = (
            _list_url(selectors.CategoryFilter(state="all", search=name))
            if isinstance(error, services.LostCreateUnverified)
            else ""
        )
        problem = describe_for(request, error)
        return _create_form_response(request, form, problem=problem, check_url=check_url)
    messages.success(request, _created_text(created))
    if not wants_fragment(request):
        return redirect(_list_url(selectors.CategoryFilter()))
    context = {
        **_filter_context(list_filter),
        "form": CategoryForm(id_prefix="new"),
        "focus_name": True,
        "created": created if list_filter.includes(created) else None,
    }
    # A fresh form, the new row at the top of the list (if it belongs there), the message.
    oob = ["categories/_new_row.html", "web/_messages_oob.html"]
    return render_swap(request, "categories/_create_form.html", context, oob=oob)


def _created_text(created: Category) -> str:
    text = f"Created “{created.name}” ({color_label(created.color)})."
    if isinstance(created, services.RecoveredCategory):
        text += " Asana's answer was lost on the way, so the dashboard checked: it is there."
    return text


def _create_form_response(
    request: HttpRequest,
    form: CategoryForm,
    *,
    status: int | None = None,
    problem: ProblemMessage | None = None,
    check_url: str = "",
) -> HttpResponse:
    """The create form again, with what was typed and why it was not accepted."""
    context = {"form": form, "problem": problem, "check_url": check_url, "focus_name": True}
    template = "categories/_create_form.html" if wants_fragment(request) else "categories/new.html"
    return _form_again(request, template, context, status=status, problem=problem)


# --- edit in place ----------------------------------------------------------------------


@require_GET
@viewer_required
@marks_deleted_rows
def category_row_page(request: HttpRequest, gid: str) -> HttpResponse:
    """One row as the list shows it: what "Cancel" (or "Keep theirs") swaps back in."""
    list_filter = CategoryFilterForm(request.GET).category_filter()
    if not wants_fragment(request):
        return redirect(_list_url(list_filter))
    category = selectors.category_get(gid=gid)
    if request.GET.get("kept") == "theirs":
        messages.info(request, f"Kept “{category.name}” as it is in Asana; nothing was saved.")
    return _row_response(request, category, list_filter, focus="edit")


@require_GET
@category_admin_required
@marks_deleted_rows
def category_edit_page(request: HttpRequest, gid: str) -> HttpResponse:
    list_filter = CategoryFilterForm(request.GET).category_filter()
    category = selectors.category_get(gid=gid)
    form = CategoryEditForm.opened_with(category)
    context = {**_filter_context(list_filter), "gid": gid, "category": category, "form": form}
    template = "categories/_row_edit.html" if wants_fragment(request) else "categories/edit.html"
    return render_varying(request, template, context)


@require_POST
@category_admin_required
def category_update_submit(request: HttpRequest, gid: str) -> HttpResponse:
    form = CategoryEditForm(request.POST, id_prefix=f"edit-{gid}")
    list_filter = CategoryFilterForm(request.POST).category_filter()
    if not form.is_valid():
        return _edit_form_response(request, gid, form, list_filter, status=422)
    try:
        change = services.category_update(
            actor=request.user,
            workspace_gid=_category_workspace_gid(request, gid),
            gid=gid,
            expected=form.original(gid),
            name=form.cleaned_data["name"],
            color=form.cleaned_data["color"],
        )
    except services.EditConflict as conflict:
        return _conflict_response(request, gid, conflict, list_filter)
    except AsanaBadRequest as error:
        form.add_asana_refusal(error)
        return _edit_form_response(request, gid, form, list_filter, status=422)
    except AsanaError as error:
        problem = describe_for(request, error)
        return _edit_form_response(
            request, gid, form, list_filter, problem=problem, gone=isinstance(error, AsanaNotFound)
        )
    _report_update(request, change, overwrote=form.cleaned_data["overwrite"])
    if not wants_fragment(request):
        return redirect(_list_url(list_filter))
    # The row stays where it is even if a rename takes it out of the search: it is the
    # row the person is working on, and moving it away would lose their place.
    return _row_response(request, change.after, list_filter, focus="edit")


def _edit_form_response(
    request: HttpRequest,
    gid: str,
    form: CategoryForm,
    list_filter: selectors.CategoryFilter,
    *,
    status: int | None = None,
    problem: ProblemMessage | None = None,
    gone: bool = False,
) -> HttpResponse:
    context = {
        **_filter_context(list_filter),
        "gid": gid,
        "form": form,
        "problem": problem,
        "gone": gone,
    }
    template = "categories/_row_edit.html" if wants_fragment(request) else "categories/edit.html"
    return _form_again(request, template, context, status=status, problem=problem)


def _form_again(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    status: int | None,
    problem: ProblemMessage | None,
) -> HttpResponse:
    """A form shown again with what was typed: the status says why (422 input, 429 rate
    limit with Retry-After, 503 Asana down, ...), never 500."""
    response = render_varying(
        request, template, context, status=status or (problem.status if problem else 400)
    )
    if problem and problem.retry_after:
        response["Retry-After"] = str(problem.retry_after)
    return response


def _conflict_response(
    request: HttpRequest,
    gid: str,
    conflict: services.EditConflict,
    list_filter: selectors.CategoryFilter,
) -> HttpResponse:
    """Both versions side by side (409): the person chooses, nothing is overwritten unseen."""
    context = {**_filter_context(list_filter), "gid": gid, "conflict": conflict}
    if wants_fragment(request):
        return render_varying(request, "categories/_row_conflict.html", context, status=409)
    return render_varying(request, "categories/conflict.html", context, status=409)


def _report_update(
    request: HttpRequest, change: services.CategoryUpdate, *, overwrote: bool = False
) -> None:
    before, after = change.before, change.after
    if change.renamed and change.recoloured:
        text = f"Renamed “{before.name}” to “{after.name}” and made it {color_label(after.color)}."
    elif change.renamed:
        text = f"Renamed “{before.name}” to “{after.name}”."
    elif change.recoloured:
        text = f"Changed the colour of “{after.name}” to {color_label(after.color)}."
    else:
        messages.info(request, f"Nothing to save: “{after.name}” already looks like that.")
        return
    if overwrote:
        text += " Your version replaced the one saved in Asana meanwhile."
    messages.success(request, text)


# --- archive and unarchive --------------------------------------------------------------


@require_POST
@category_admin_required
@marks_deleted_rows
def category_archive_submit(request: HttpRequest, gid: str) -> HttpResponse:
    return _change_archived(request, gid, archived=True)


@require_POST
@category_admin_required
@marks_deleted_rows
def category_unarchive_submit(request: HttpRequest, gid: str) -> HttpResponse:
    return _change_archived(request, gid, archived=False)


def _change_archived(request: HttpRequest, gid: str, *, archived: bool) -> HttpResponse:
    """One click; Asana's errors become a problem message (nothing typed to keep)."""
    list_filter = CategoryFilterForm(request.POST).category_filter()
    change = services.category_archive if archived else services.category_unarchive
    category = change(
        actor=request.user, workspace_gid=_category_workspace_gid(request, gid), gid=gid
    )
    if archived:
        text = f"Archived “{category.name}”. It is now in the Archived tab."
    else:
        text = f"Unarchived “{category.name}”. It is back in the Active tab."
    messages.success(request, text)
    if not wants_fragment(request):
        return redirect(_list_url(list_filter))
    if list_filter.includes(category):  # the "All" tab: the row stays, with its new state
        return _row_response(request, category, list_filter, focus="toggle")
    return remove_target(render_swap(request, None, {}, oob=[AFTER_CHANGE]))


# --- delete -----------------------------------------------------------------------------


@require_GET
@category_admin_required
@marks_deleted_rows
def category_confirm_delete_page(request: HttpRequest, gid: str) -> HttpResponse:
    """Names the category and offers archiving (keeps history) next to deleting."""
    list_filter = CategoryFilterForm(request.GET).category_filter()
    category = selectors.category_get(gid=gid)
    context = {**_filter_context(list_filter), "category": category}
    if wants_fragment(request):
        return render_varying(request, "categories/_delete_dialog.html", context)
    return render_varying(request, "categories/confirm_delete.html", context)


@require_POST
@category_admin_required
@marks_deleted_rows
def category_delete_submit(request: HttpRequest, gid: str) -> HttpResponse:
    list_filter = CategoryFilterForm(request.POST).category_filter()
    # Read first: the audit log and the message name what was deleted.
    category = selectors.category_get(gid=gid)
    services.category_delete(
        actor=request.user,
        workspace_gid=_category_workspace_gid(request, gid),
        category=category,
    )
    messages.success(request, f"Deleted “{category.name}”.")
    if not wants_fragment(request):
        return redirect(_list_url(list_filter))
    return remove_target(render_swap(request, None, {}, oob=[AFTER_CHANGE]))


# --- the audit log ---------------------------------------------------------------------


@require_GET
@category_admin_required
def audit_log_page(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        # An invalid filter is reported on the form; the valid ones still apply.
        form.is_valid()
        filters = form.cleaned_data
    page = Paginator(selectors.audit_entry_list(filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return render(request, "categories/audit_log.html", context)


# --- helpers ----------------------------------------------------------------------------


def _row_response(
    request: HttpRequest, category: Category, list_filter: selectors.CategoryFilter, *, focus: str
) -> HttpResponse:
    context = {**_filter_context(list_filter), "category": category, "focus": focus}
    return render_swap(request, "categories/_row.html", context, oob=[AFTER_CHANGE])


def _filter_context(list_filter: selectors.CategoryFilter) -> dict[str, Any]:
    return {
        "list_filter": list_filter,
        "filter_query": _filter_query(list_filter),
        "list_url": _list_url(list_filter),
    }


def _filter_params(list_filter: selectors.CategoryFilter) -> dict[str, str]:
    params = {}
    if list_filter.state != "active":
        params["state"] = list_filter.state
    if list_filter.search:
        params["q"] = list_filter.search
    return params


def _filter_query(list_filter: selectors.CategoryFilter) -> str:
    return urlencode(_filter_params(list_filter))


def _list_url(list_filter: selectors.CategoryFilter) -> str:
    query = _filter_query(list_filter)
    return reverse("home") + (f"?{query}" if query else "")


def _tabs(list_filter: selectors.CategoryFilter) -> list[dict[str, Any]]:
    return [
        {
            "state": state,
            "label": label,
            "url": _list_url(selectors.CategoryFilter(state=state, search=list_filter.search)),
            "current": state == list_filter.state,
        }
        for state, label in TAB_LABELS.items()
    ]


def _category_workspace_gid(request: HttpRequest, gid: str) -> str:
    """The category's own workspace, which the change is authorized against and recorded
    with; never just the session's (a category of another workspace would be logged under
    the wrong one). A category in no workspace the person may change is not found."""
    current = current_workspace(request)
    others = [
        w for w in request_identity(request).workspaces if not current or w.gid != current.gid
    ]
    allowed = [
        workspace
        for workspace in ([current] if current else []) + others
        if can_change_categories_in(request.user, workspace.gid)
    ]
    return selectors.category_workspace(gid=gid, workspaces=allowed).gid
