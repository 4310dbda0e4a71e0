"""Every input the screens take, parsed and validated here before any request to Asana."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms

from categories import dates, services
from categories.asana import (
    CATEGORY_COLORS,
    CATEGORY_NAME_MAX_LENGTH,
    AsanaBadRequest,
    Category,
    color_label,
)

# "Load more" adds this many rows; the no-JS link asks for that many more in one page.
ENTRIES_PAGE_SIZE = 100
# A bookmark asking for a million rows must not make a page that big.
MAX_ENTRIES_SHOWN = 5000

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
        choices=[(state, state) for state in services.CATEGORY_STATES], required=False
    )
    q = forms.CharField(required=False, max_length=200)

    def category_filter(self) -> services.CategoryFilter:
        """The filter asked for; anything unreadable falls back to the default view."""
        if not self.is_valid():
            return services.CategoryFilter()
        state = cast(services.CategoryState, self.cleaned_data["state"] or "active")
        return services.CategoryFilter(state=state, search=self.cleaned_data["q"])


@dataclass(frozen=True)
class EntriesQuery:
    """What the entries screen shows: a range, an order and how many rows."""

    preset: dates.Preset
    start: dt.date
    end: dt.date
    sort: services.EntrySort
    shown: int


class EntriesFilterForm(forms.Form):
    """The entries screen's URL: ?range=<preset> or ?range=custom&start=…&end=…, sort, show."""

    range = forms.ChoiceField(
        label="Range",
        choices=list(dates.PRESET_LABELS.items()),
        required=False,
        error_messages={"invalid_choice": "Choose one of the listed date ranges."},
    )
    start = forms.CharField(label="Start date", required=False, max_length=20)
    end = forms.CharField(label="End date", required=False, max_length=20)
    sort = forms.CharField(required=False, max_length=20)
    show = forms.CharField(required=False, max_length=10)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "entries-%s")
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_start(self) -> dt.date | None:
        return self._date("start", "start")

    def clean_end(self) -> dt.date | None:
        return self._date("end", "end")

    def clean_sort(self) -> services.EntrySort:
        # An unknown order is not worth an error message: show the default order.
        value = self.cleaned_data.get("sort") or ""
        if value in services.ENTRY_SORTS:
            return cast(services.EntrySort, value)
        return services.DEFAULT_ENTRY_SORT

    def clean_show(self) -> int:
        value = self.cleaned_data.get("show") or ""
        shown = int(value) if value.isdigit() else ENTRIES_PAGE_SIZE
        return min(max(shown, ENTRIES_PAGE_SIZE), MAX_ENTRIES_SHOWN)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        preset = self._preset(cleaned)
        cleaned["range"] = preset
        if preset != dates.CUSTOM:
            span = dates.preset_range(preset, today=self.today)
            cleaned["start"], cleaned["end"] = span.start, span.end
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" not in self.errors and start is None:
            self.add_error("start", "Choose a start date.")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Choose an end date.")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return cleaned

    def query(self) -> EntriesQuery:
        """The validated query (call only when the form is valid)."""
        data = self.cleaned_data
        return EntriesQuery(
            preset=data["range"],
            start=data["start"],
            end=data["end"],
            sort=data["sort"],
            shown=data["show"],
        )

    def _preset(self, cleaned: dict[str, Any]) -> dates.Preset:
        chosen = cleaned.get("range")
        if chosen:
            return cast(dates.Preset, chosen)
        # Dates without a range name are a custom range (a hand-written or old link).
        if self.data.get("start") or self.data.get("end"):
            return dates.CUSTOM
        return dates.DEFAULT_PRESET

    def _date(self, field: str, word: str) -> dt.date | None:
        text = (self.cleaned_data.get(field) or "").strip()
        if not text:
            return None
        parsed = dates.parse_iso_date(text)
        if parsed is None:
            raise forms.ValidationError(
                f"“{text}” is not a date: write the {word} date as YYYY-MM-DD."
            )
        return parsed
