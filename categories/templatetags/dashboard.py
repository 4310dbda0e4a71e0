"""Small formatting filters for the dashboard's templates (no HTML built in Python)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from categories.asana import Category, color_label

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
def other_categories(categories: Iterable[Category], gid: str) -> list[Category]:
    """An entry's categories except the one whose screen this is."""
    return [category for category in categories if category.gid != gid]
