"""Signing in and out, the lockout and 403 pages, and the audit log page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.debug import SafeExceptionReporterFilter
from django.views.decorators.http import require_GET

from categories.demo_accounts import shown_demo_accounts
from categories.errors import ProblemMessage
from categories.models import AuditEntry
from categories.permissions import category_admin_required, forbidden_response

AUDIT_PAGE_SIZE = 50


# --- signing in ---------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    """Django's login view; in demo mode it also lists the generated demo accounts."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_accounts"] = shown_demo_accounts()
        return context


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed sign-ins from here for that name."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"cooloff_minutes": seconds // 60, "failure_limit": settings.AXES_FAILURE_LIMIT}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


# --- refusals -----------------------------------------------------------------------------


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: a PermissionDenied raised anywhere, in the app's own words and layout."""
    problem = ProblemMessage("Not allowed", "You may not open this page or make this change.", 403)
    return forbidden_response(request, problem)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a POST without a valid token changes nothing."""
    problem = ProblemMessage(
        "The form had expired",
        "Nothing was changed: the page was open too long or you signed in elsewhere. "
        "Reload the page and try again.",
        403,
    )
    return forbidden_response(request, problem)


# --- the audit log ------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    """The audit page's filters. They live in the URL, so a filtered view can be shared."""

    action = forms.ChoiceField(
        required=False, choices=[("", "Any action"), *AuditEntry.Action.choices]
    )
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any outcome"), *AuditEntry.Outcome.choices]
    )
    user = forms.ChoiceField(required=False, label="Who")
    category = forms.CharField(
        required=False, max_length=255, label="Category name or gid", strip=True
    )
    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Everyone who ever appears in the log, including people since deleted.
        names = (
            AuditEntry.objects.order_by("actor_username")
            .values_list("actor_username", flat=True)
            .distinct()
        )
        self.fields["user"].choices = [("", "Anyone"), *((name, name) for name in names)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned


def filter_audit_entries(filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    """The log, newest first, narrowed by the filters that were valid."""
    entries = AuditEntry.objects.all()
    exact = {"action": "action", "outcome": "outcome", "user": "actor_username"}
    for key, field in exact.items():
        if filters.get(key):
            entries = entries.filter(**{field: filters[key]})
    if needle := filters.get("category"):
        by_name = Q(category_name__icontains=needle)
        entries = entries.filter(by_name | Q(category_gid=needle) if needle.isdigit() else by_name)
    if filters.get("since"):
        entries = entries.filter(created_at__date__gte=filters["since"])
    if filters.get("until"):
        entries = entries.filter(created_at__date__lte=filters["until"])
    return entries


@require_GET
@category_admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_bound:
        # An invalid filter is reported on the form; the valid ones still apply.
        form.is_valid()
        filters = form.cleaned_data
    page = Paginator(filter_audit_entries(filters), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "filtered": any(filters.values())}
    return render(request, "audit/log.html", context)


# --- error pages --------------------------------------------------------------------------


class TokenHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    """What DEBUG error pages and error reports show, minus the Asana token.

    Django already hides settings named like *TOKEN*. This also hides any frame variable
    that holds the token, such as the Authorization header inside requests/urllib3 frames
    of a chained exception, which Django would otherwise print. (Exception messages never
    hold it: the Asana client words its own errors; see tests/asana/test_safety.py.)
    """

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[Any]:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        token = settings.ASANA_ACCESS_TOKEN
        if not token:
            return variables
        return [
            (name, self.cleansed_substitute if _mentions(value, token) else value)
            for name, value in variables
        ]


def _mentions(value: Any, secret: str) -> bool:
    try:
        return secret in repr(value)
    except Exception:  # a repr that fails cannot be checked, so it is not shown either
        return True
