"""The report screens' input, from the URL: a date range (a preset or custom dates), the
entries' order and how many rows are shown, the chart's grouping and each breakdown's
order, and the overview's scope. Parsed and validated here before any request to Asana.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast, get_args

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from categories.reports import dates
from categories.reports.calculations import (
    BreakdownBy,
    Granularity,
    Narrowing,
    NarrowingChoices,
    SortKey,
    groupings_for,
)
from categories.reports.entries import DEFAULT_ENTRY_SORT, ENTRY_SORTS, EntrySort

# "Load more" adds this many rows; the no-JS link asks for that many more in one page.
ENTRIES_PAGE_SIZE = 100
# A bookmark asking for a million rows must not make a page that big.
MAX_ENTRIES_SHOWN = 5000
# Dates a range may use: Asana's time tracking is far younger, and the bounds keep every
# derived date (the previous period, chart periods) well inside what Python can hold.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
# The longest range a screen reads at once (its previous period is as long again).
MAX_RANGE_DAYS = 3 * 365 + 1
# The longest range an export streams (nothing is held: only Asana's budget bounds it).
MAX_EXPORT_DAYS = 10 * 365 + 3

GROUPINGS: tuple[Granularity, ...] = get_args(Granularity)
# Breakdown orders, as in the URL: a column, "-" first for biggest (or Z) first.
BREAKDOWN_SORTS = frozenset({"name", "-name", "hours", "-hours", "entries", "-entries"})
DEFAULT_BREAKDOWN_SORT = "-hours"
# The URL parameter holding each breakdown's order.
BREAKDOWN_PARAMS: dict[BreakdownBy, str] = {"person": "people", "project": "projects"}


@dataclass(frozen=True)
class EntriesQuery:
    """Everything the entries screen's URL asks for, parsed: the range, the entries' order
    and how many rows are shown, the chart's grouping, each breakdown's order, and whether
    to ask Asana again. The one place this screen's state lives; `EntriesFilterForm`
    produces it, and every link of the screen is this query with something changed."""

    preset: dates.Preset
    start: dt.date
    end: dt.date
    sort: EntrySort = DEFAULT_ENTRY_SORT
    shown: int = ENTRIES_PAGE_SIZE
    group: Granularity | None = None  # None: chosen from the range's length
    people: str = DEFAULT_BREAKDOWN_SORT
    projects: str = DEFAULT_BREAKDOWN_SORT
    refresh: bool = False  # ask Asana again instead of reusing its answer of the last minute
    person: str = ""  # the filters: one person's and/or one project's entries ("" for all)
    project: str = ""

    @property
    def span(self) -> dates.DateRange:
        return dates.DateRange(self.start, self.end)

    @property
    def narrowing(self) -> Narrowing:
        return Narrowing(self.person, self.project)

    def changed(self, **changes: Any) -> EntriesQuery:
        """The query a link leads to: `changes` applied, back to the first page of rows and
        to cached answers unless the link says otherwise."""
        return replace(self, **{"shown": ENTRIES_PAGE_SIZE, "refresh": False, **changes})

    def params(self) -> dict[str, str]:
        """The URL parameters of this query; defaults are left out, so links stay short."""
        params = self.range_params()
        if self.sort != DEFAULT_ENTRY_SORT:
            params["sort"] = self.sort
        if self.shown > ENTRIES_PAGE_SIZE:
            params["show"] = str(self.shown)
        return {**params, **self.report_params(), **self.narrowing_params()}

    def range_params(self) -> dict[str, str]:
        return dates.range_params(self.preset, self.span)

    def narrowing_params(self) -> dict[str, str]:
        """The chosen person and project, where chosen."""
        found = {"person": self.person, "project": self.project}
        return {key: value for key, value in found.items() if value}

    def beside_narrowing(self) -> dict[str, str]:
        """What the filters' form carries as hidden fields: the rest of the query."""
        return {key: value for key, value in self.params().items() if key not in NARROWING}

    def report_params(self) -> dict[str, str]:
        """The chart's grouping and the breakdowns' orders, where not the defaults."""
        found = {"group": self.group or "", "people": self.people, "projects": self.projects}
        return {
            key: value for key, value in found.items() if value not in ("", DEFAULT_BREAKDOWN_SORT)
        }

    def export_params(self) -> dict[str, str]:
        """What an export carries from the screen: the range and the report's options."""
        return {**self.range_params(), **self.report_params(), **self.narrowing_params()}

    def kept_params(self) -> dict[str, str]:
        """What the range form carries as hidden fields: everything but the range."""
        kept = {"sort": self.sort} if self.sort != DEFAULT_ENTRY_SORT else {}
        return {**kept, **self.report_params(), **self.narrowing_params()}

    def sort_of(self, by: BreakdownBy) -> str:
        """One breakdown table's order, as in the URL ("-hours")."""
        return self.people if by == "person" else self.projects

    def order(self, by: BreakdownBy) -> tuple[SortKey, bool]:
        """(column, descending) of one breakdown table."""
        sort = self.sort_of(by)
        return cast(SortKey, sort.removeprefix("-")), sort.startswith("-")


NARROWING = ("person", "project")


class NarrowingFields(forms.Form):
    """The filters every report screen shares (a mixin of their forms): ?person=<gid> and
    ?project=<gid>, chosen from the people and projects of the range's entries.

    Which gids are right is only known once the entries are in, so the view checks the
    choice then (`check_narrowing`): an unknown one is an error next to its select.
    """

    person = forms.CharField(required=False)
    project = forms.CharField(required=False)

    def clean_person(self) -> str:
        return (self.cleaned_data.get("person") or "").strip()

    def clean_project(self) -> str:
        return (self.cleaned_data.get("project") or "").strip()

    def narrowing(self) -> Narrowing:
        """The chosen person and project, as the selectors take them."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return Narrowing(data.get("person", ""), data.get("project", ""))

    def check_narrowing(self, choices: NarrowingChoices) -> bool:
        """Whether the chosen person and project are among the range's; if not, each
        gets its message (the page answers 422 with the selects and their options)."""
        for field in choices.unknown(self.narrowing()):
            self.add_error(field, NARROWING_MESSAGES[field])
        return not (self.has_error("person") or self.has_error("project"))

    def filter_words(self) -> list[str]:
        return filter_words(self.narrowing())


def filter_words(narrowing: Narrowing) -> list[str]:
    """The filters in an export's file name ("person 123")."""
    found = {"person": narrowing.person, "project": narrowing.project}
    return [f"{key} {value}" for key, value in found.items() if value]


NARROWING_MESSAGES: dict[str, str] = {
    "person": "Nobody by that id logged time in this range. Choose a person from the list.",
    "project": "No project by that id has time in this range. Choose a project from the list.",
}


class EntriesFilterForm(NarrowingFields):
    """The entries screen's URL: ?range=<preset> or ?range=custom&start=…&end=…, sort, show,
    the report's group, people and projects, the filters, and refresh. Only the range can be
    wrong here (the filters are checked against the entries); an unknown order or grouping
    is not worth an error message: the default is shown."""

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
    group = forms.CharField(required=False)
    people = forms.CharField(required=False)
    projects = forms.CharField(required=False)

    def __init__(
        self, *args: Any, today: dt.date, max_days: int = MAX_RANGE_DAYS, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "entries-%s")
        super().__init__(*args, **kwargs)
        self.today = today
        self.max_days = max_days

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

    def clean_group(self) -> Granularity | None:
        value = self.cleaned_data.get("group") or ""
        return cast(Granularity, value) if value in GROUPINGS else None

    def clean_people(self) -> str:
        return _breakdown_sort(self.cleaned_data.get("people") or "")

    def clean_projects(self) -> str:
        return _breakdown_sort(self.cleaned_data.get("projects") or "")

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
            return self._grouping_limited(cleaned)
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" not in self.errors and start is None:
            self.add_error("start", "Choose a start date.")
        if "end" not in self.errors and end is None:
            self.add_error("end", "Choose an end date.")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        elif start and end and (end - start).days + 1 > self.max_days:
            self.add_error(
                "end",
                f"A range can span at most {_span_words(self.max_days)}; this one spans "
                f"{(end - start).days + 1:,} days. Choose a later start or an earlier end.",
            )
        return self._grouping_limited(cleaned) if not self.errors else cleaned

    def _grouping_limited(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """A fine grouping over a long range would chart thousands of points: the range's
        own grouping is shown instead (the links offer only the groupings that fit)."""
        group, start, end = cleaned.get("group"), cleaned.get("start"), cleaned.get("end")
        if group and start and end and group not in groupings_for(start, end):
            cleaned["group"] = None
        return cleaned

    def query(self) -> EntriesQuery:
        """The validated query (call only when the form is valid)."""
        data = self.cleaned_data
        return EntriesQuery(
            preset=data["range"],
            start=data["start"],
            end=data["end"],
            **self._beside_the_range(),
        )

    def query_or_today(self) -> EntriesQuery:
        """The query, or when the range could not be read, today only (what the screen's
        links start from then) with the rest of what was asked for."""
        if self.is_valid():
            return self.query()
        today = timezone.localdate()
        return EntriesQuery(preset=dates.CUSTOM, start=today, end=today, **self._beside_the_range())

    def shown_query(self) -> EntriesQuery:
        """The query the page shows: as asked when only a filter was unknown (which is
        then left out), today's when the range could not be read."""
        if set(self.errors) - set(NARROWING):
            return self.query_or_today()
        return self.query()

    def _beside_the_range(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "sort": data.get("sort", DEFAULT_ENTRY_SORT),
            "shown": data.get("show", ENTRIES_PAGE_SIZE),
            "group": data.get("group"),
            "people": data.get("people", DEFAULT_BREAKDOWN_SORT),
            "projects": data.get("projects", DEFAULT_BREAKDOWN_SORT),
            "refresh": "refresh" in self.data,
            "person": data.get("person", ""),
            "project": data.get("project", ""),
        }

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
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            raise forms.ValidationError(
                f"Choose a {word} date from {EARLIEST_DATE.isoformat()} to "
                f"{LATEST_DATE.isoformat()}."
            )
        return parsed


def _span_words(days: int) -> str:
    years = days // 365
    return f"{years} years ({days:,} days)" if years > 1 else f"{days:,} days"


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
        params.update(self.range.narrowing_params())
        return f"{reverse('overview')}?{urlencode(params)}"

    def export_url(self, extension: str) -> str:
        """The overview's export with this query's range, archived choice and filters."""
        path = reverse("overview_export", kwargs={"extension": extension})
        return f"{path}?{urlencode(self.beside_narrowing() | self.range.narrowing_params())}"

    def beside_narrowing(self) -> dict[str, str]:
        """The range and the archived choice: what the filters' form carries."""
        params = self.range_params()
        if self.archived:
            params["archived"] = "1"
        return params

    def kept_params(self) -> dict[str, str]:
        """What the range form carries: the archived choice and the filters."""
        kept = {"archived": "1"} if self.archived else {}
        return kept | self.range.narrowing_params()


class OverviewFilterForm(EntriesFilterForm):
    """The overview's URL: the entries screen's range, and ?archived=1 for archived
    categories too."""

    archived = forms.CharField(required=False)

    def overview_query(self) -> OverviewQuery:
        """The query, with today only as its range when the range could not be read."""
        range_query = self.query_or_today()  # validates the form first
        archived = self.cleaned_data.get("archived") == "1"
        return OverviewQuery(range_query, archived, "refresh" in self.data)


class WorkspaceFilterForm(EntriesFilterForm):
    """The workspace-wide screens' URL (team, time with no category): the range and the
    filters (one person, one project)."""

    def filter_params(self) -> dict[str, str]:
        """The range and the filters: what the screen's links and export carry."""
        query = self.query_or_today()
        return {**query.range_params(), **query.narrowing_params()}
