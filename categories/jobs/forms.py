"""The jobs' forms: what to move (a selection, or all entries matching a filter), where to,
and how to end a merge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from categories.jobs.models import Job

MAX_CHOSEN = 10_000
NO_CATEGORY = ""


class GidField(forms.CharField):
    """An Asana gid (digits) or nothing."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError("Not a valid Asana id.")
        return text


class GidListField(forms.Field):
    """Many gids from checkboxes (`entry=...&entry=...`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        values = [str(v).strip() for v in (value or []) if str(v).strip()]
        if len(values) > MAX_CHOSEN:
            raise forms.ValidationError(f"Choose at most {MAX_CHOSEN:,} entries at a time.")
        if not all(v.isascii() and v.isdigit() and len(v) <= 32 for v in values):
            raise forms.ValidationError("Not a valid list of Asana entry ids.")
        return sorted(set(values))


def target_choices(targets: list[Any], *, excluding: str = "") -> list[tuple[str, str]]:
    return [(NO_CATEGORY, "No category")] + [
        (category.gid, category.name) for category in targets if category.gid != excluding
    ]


class MoveForm(forms.Form):
    """Entries of one source (a category, or with `source` empty the time with no
    category) in a range: the ticked ones, or with `all` every one matching the filter."""

    source = GidField()
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    person = GidField()
    project = GidField()
    entry = GidListField(required=False)
    all = forms.BooleanField(required=False, label="All entries matching this filter")
    target = forms.ChoiceField(label="Move to", required=False)

    def __init__(self, *args: Any, targets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = target_choices(targets)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("all") and not data.get("entry"):
            self.add_error("entry", "Tick at least one entry, or choose all entries.")
        if "target" in data and data.get("target") == data.get("source"):
            self.add_error("target", "The time is already there: choose another category.")
        if not data.get("source") and not (data.get("start") and data.get("end")):
            self.add_error("start", "Time with no category is moved for a date range.")
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data

    def job_options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "source_category_gid": data["source"],
            "uncategorised": not data["source"],
            "entry_gids": [] if data["all"] else data["entry"],
            "range_start": data["start"],
            "range_end": data["end"],
            "person_gid": data["person"],
            "project_gid": data["project"],
            "target_category_gid": data["target"],
        }

    def preview_options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "source_gid": data["source"],
            "start": data["start"],
            "end": data["end"],
            "entry_gids": [] if data["all"] else data["entry"],
            "person_gid": data["person"],
            "project_gid": data["project"],
        }


class MergeForm(forms.Form):
    """Every entry of a category, all dates, to another; then archive or delete it."""

    target = forms.ChoiceField(label="Merge into")
    after = forms.ChoiceField(
        label="Then",
        choices=[
            (Job.AfterMerge.ARCHIVE, "Archive the merged category (it keeps no time)"),
            (Job.AfterMerge.DELETE, "Delete the merged category"),
        ],
        initial=Job.AfterMerge.ARCHIVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, targets: list[Any], source: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.gid, c.name) for c in targets if c.gid != source]
        self.fields["target"].choices = [("", "Choose a category"), *choices]


def range_days(start: dt.date | None, end: dt.date | None) -> int:
    return (end - start).days + 1 if start and end else 0
