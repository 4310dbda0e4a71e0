"""The category screens' input, parsed and validated here before any request to Asana:
the create and edit forms, the list's tab and search, and the audit log's filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from categories import selectors
from categories.asana import (
    CATEGORY_COLORS,
    CATEGORY_NAME_MAX_LENGTH,
    AsanaBadRequest,
    Category,
    color_label,
)
from categories.models import AuditEntry

COLOR_CHOICES = [(color, color_label(color)) for color in CATEGORY_COLORS]


class CategoryForm(forms.Form):
    """Name and colour, checked the way Asana checks them (so most mistakes never travel)."""

    name = forms.CharField(
        label="Name",
        max_length=CATEGORY_NAME_MAX_LENGTH,
        strip=True,  # Asana trims names too: "  Design " is "Design"
        error_messages={
            "required": "Give the category a name.",
            "max_length": "Use at most %(limit_value)d characters (this has %(show_value)d).",
        },
    )
    color = forms.ChoiceField(
        label="Colour",
        choices=COLOR_CHOICES,
        initial="none",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a colour (or “No colour”).",
            "invalid_choice": "Choose one of Asana's 16 colours.",
        },
    )

    def __init__(self, *args: Any, id_prefix: str = "category", **kwargs: Any) -> None:
        # Several of these forms can be on one page (create, and a row being edited):
        # a per-form prefix keeps every label's `for` pointing at its own input.
        kwargs.setdefault("auto_id", f"{id_prefix}-%s")
        super().__init__(*args, **kwargs)
        self.id_prefix = id_prefix

    def add_asana_refusal(self, error: AsanaBadRequest) -> None:
        """Show Asana's 400 next to the field it names, or above the form when it names none."""
        field = error.field if error.field in self.fields else None
        message = error.message
        if field and message.startswith(f"{field}:"):
            message = message[len(field) + 1 :].strip()
        self.add_error(field, f"Asana says: {message}")


class CategoryEditForm(CategoryForm):
    """The edit form also carries the values it was opened with (hidden fields).

    On save they are compared with Asana's current record, so a change someone else made
    meanwhile is shown to the person instead of being overwritten unseen.
    """

    # Not stripped: they must equal Asana's stored values exactly to mean "unchanged".
    original_name = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    original_color = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by "Save mine anyway": the person saw the other version and chose theirs over it.
    overwrite = forms.BooleanField(required=False, widget=forms.HiddenInput)

    @classmethod
    def opened_with(cls, category: Category) -> CategoryEditForm:
        """A fresh edit form showing `category`, remembering it as the original."""
        values = {"name": category.name, "color": category.color}
        originals = {"original_name": category.name, "original_color": category.color}
        return cls(initial={**values, **originals}, id_prefix=f"edit-{category.gid}")

    def original(self, gid: str) -> Category | None:
        """The values the form was opened with; None from a form that did not send them
        (an old page), which then saves without the lost-update check."""
        name = self.cleaned_data.get("original_name") or ""
        color = self.cleaned_data.get("original_color") or ""
        if not name or color not in CATEGORY_COLORS:
            return None
        return Category(gid=gid, name=name, color=color)


class CategoryFilterForm(forms.Form):
    """The list's tab and search, from the URL (or from the hidden fields of a row's form)."""

    state = forms.ChoiceField(
        choices=[(state, state) for state in selectors.CATEGORY_STATES], required=False
    )
    q = forms.CharField(required=False, max_length=200)

    def category_filter(self) -> selectors.CategoryFilter:
        """The filter asked for; anything unreadable falls back to the default view."""
        if not self.is_valid():
            return selectors.CategoryFilter()
        state = cast(selectors.CategoryState, self.cleaned_data["state"] or "active")
        return selectors.CategoryFilter(state=state, search=self.cleaned_data["q"])


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
        usernames = (
            AuditEntry.objects.order_by("actor_username")
            .values_list("actor_username", flat=True)
            .distinct()
        )
        self.fields["user"].choices = [("", "Anyone"), *_people_by_name(list(usernames))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return cleaned


def _people_by_name(usernames: list[str]) -> list[tuple[str, str]]:
    """(username, what to show) for the audit log's person filter: a person's full name
    where the account has one (people signed in with Asana have usernames of digits)."""
    names = dict(
        get_user_model()
        .objects.filter(username__in=usernames)
        .exclude(first_name="", last_name="")
        .values_list("username", "first_name")
    )
    return sorted(((u, names.get(u) or u) for u in usernames), key=lambda pair: pair[1].casefold())
