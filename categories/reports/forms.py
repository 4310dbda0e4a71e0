"""The report screens' input, from the URL: a date range (a preset or custom dates), the
entries' order and how many rows are shown, the chart's grouping and each breakdown's
order, and the overview's scope. Parsed and validated here before any request to Asana.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast, get_args

from django import forms
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from categories.reports import dates
from categories.reports.calculations import BreakdownBy, Granularity, SortKey
from categories.reports.entries import DEFAULT_ENTRY_SORT, ENTRY_SORTS, EntrySort

# "Load more" adds this many rows; the no-JS link asks for that many more in one page.
ENTRIES_PAGE_SIZE = 100
# A bookmark asking for a million rows must not make a page that big.
MAX_ENTRIES_SHOWN = 5000

GROUPINGS: tuple[Granularity, ...] = get_args(Granularity)
# Breakdown orders, as in the URL: a column, "-" first for biggest (or Z) first.
BREAKDOWN_SORTS = frozenset({"name", "-name", "hours", "-hours", "entries", "-entries"})
DEFAULT_BREAKDOWN_SORT = "-hours"
# The URL parameter holding each breakdown's order.
BREAKDOWN_PARAMS: dict[BreakdownBy, str] = {"person": "people", "project": "projects"}


@dataclass(frozen=True)
class EntriesQuery:
    """What the entries screen shows: a range, an order and how many rows."""

    preset: dates.Preset
    start: dt.date
    end: dt.date
    sort: EntrySort
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

    def clean_sort(self) -> EntrySort:
        # An unknown order is not worth an error message: show the default order.
        value = self.cleaned_data.get("sort") or ""
        if value in ENTRY_SORTS:
            return cast(EntrySort, value)
        return DEFAULT_ENTRY_SORT

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


def fallback_query(form: EntriesFilterForm) -> EntriesQuery:
    """What a screen's links start from when its range could not be read: today only."""
    today = timezone.localdate()
    return EntriesQuery(
        preset=dates.CUSTOM,
        start=today,
        end=today,
        sort=form.cleaned_data.get("sort", DEFAULT_ENTRY_SORT),
        shown=ENTRIES_PAGE_SIZE,
    )


@dataclass(frozen=True)
class ReportOptions:
    """Beside the range: how the chart groups time and how each breakdown is ordered."""

    group: Granularity | None = None  # None: chosen from the range's length
    people: str = DEFAULT_BREAKDOWN_SORT
    projects: str = DEFAULT_BREAKDOWN_SORT

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ReportOptions:
        # An unknown value is not worth an error message: the default is shown instead.
        group = params.get("group", "")
        return cls(
            group=cast(Granularity, group) if group in GROUPINGS else None,
            people=_breakdown_sort(params.get("people", "")),
            projects=_breakdown_sort(params.get("projects", "")),
        )

    def params(self) -> dict[str, str]:
        """The URL parameters that differ from the defaults (plain links stay short)."""
        found = {"group": self.group or "", "people": self.people, "projects": self.projects}
        return {
            key: value for key, value in found.items() if value not in ("", DEFAULT_BREAKDOWN_SORT)
        }

    def sort_of(self, by: BreakdownBy) -> str:
        """One breakdown table's order, as in the URL ("-hours")."""
        return self.people if by == "person" else self.projects

    def order(self, by: BreakdownBy) -> tuple[SortKey, bool]:
        """(column, descending) of one breakdown table."""
        sort = self.sort_of(by)
        return cast(SortKey, sort.removeprefix("-")), sort.startswith("-")


def _breakdown_sort(value: str) -> str:
    return value if value in BREAKDOWN_SORTS else DEFAULT_BREAKDOWN_SORT


@dataclass(frozen=True)
class OverviewQuery:
    """The overview's URL: a range, and active categories or archived ones too."""

    range: EntriesQuery
    archived: bool = False
    refresh: bool = False  # ask Asana again instead of reusing its answers of the last minute

    @property
    def span(self) -> dates.DateRange:
        return dates.DateRange(self.range.start, self.range.end)

    def range_params(self, preset: dates.Preset | None = None) -> dict[str, str]:
        return dates.range_params(preset or self.range.preset, self.span)

    def url(
        self,
        *,
        preset: dates.Preset | None = None,
        archived: bool | None = None,
        full: bool = False,
        refresh: bool = False,
    ) -> str:
        params = self.range_params(preset)
        flags = {"archived": self.archived if archived is None else archived}
        flags |= {"full": full, "refresh": refresh}
        params.update({name: "1" for name, wanted in flags.items() if wanted})
        return f"{reverse('overview')}?{urlencode(params)}"

    @classmethod
    def of(cls, form: EntriesFilterForm, request: HttpRequest) -> OverviewQuery:
        """The valid form's range, and the flags of the request's URL."""
        range_query = form.query() if form.is_valid() else fallback_query(form)
        params = request.GET
        return cls(range_query, params.get("archived") == "1", "refresh" in params)
