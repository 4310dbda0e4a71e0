"""Small formatting filters for the dashboard's templates (no HTML built in Python)."""

from __future__ import annotations

from django import template

from categories.asana import color_label

register = template.Library()


@register.filter
def color_name(color: str) -> str:
    """'yellow-orange' -> 'Yellow orange': the words shown next to every swatch."""
    return color_label(color or "none")


@register.filter
def duration(minutes: int) -> str:
    """Minutes as h:mm (90 -> '1:30'); hours are not wrapped into days."""
    hours, rest = divmod(int(minutes or 0), 60)
    return f"{hours}:{rest:02d}"


@register.filter
def hours(minutes: int) -> str:
    """Minutes as decimal hours with two places (90 -> '1.50')."""
    return f"{int(minutes or 0) / 60:,.2f}"


@register.filter
def seconds_label(seconds: int) -> str:
    """A time left in words a person reads at a glance (75 -> '1 min 15 s')."""
    minutes, rest = divmod(max(int(seconds or 0), 0), 60)
    if minutes >= 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"
