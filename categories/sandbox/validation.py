"""Input checks with Asana's messages: each error starts with the field it is about."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from categories.asana.colors import CATEGORY_COLORS, CATEGORY_NAME_MAX_LENGTH

from .models import GidModel
from .responses import ApiError

M = TypeVar("M", bound=GidModel)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def bad_request(field: str, problem: str) -> ApiError:
    return ApiError(400, f"{field}: {problem}")


def required(params: Mapping[str, Any], field: str) -> Any:
    """The value of a required parameter or body field; blank counts as missing."""
    value = params.get(field)
    if value is None or value == "":
        raise bad_request(field, "Missing input")
    return value


def gid_param(value: Any, field: str) -> str:
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        raise bad_request(field, f"Not a valid gid: {value!r}")
    return value


def referenced(model: type[M], value: Any, field: str) -> M:
    """An object named by gid in the input: an unknown one is the caller's mistake (400)."""
    found = model.find(gid_param(value, field))
    if found is None:
        raise bad_request(field, "Not a recognized ID")
    return found


def bool_param(value: str | None, field: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered not in ("true", "false"):
        raise bad_request(field, f'Not a boolean: "{value}"')
    return lowered == "true"


def date_param(value: str | None, field: str) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        # fromisoformat alone would also take "20250101" and week dates; Asana wants this.
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_request(field, f'"{value}" is an invalid date') from None


def category_name(value: Any) -> str:
    if value is None:
        raise bad_request("name", "Missing input")
    if not isinstance(value, str):
        raise bad_request("name", "Must be a string")
    name = value.strip()
    if not name:
        raise bad_request("name", "Missing input")
    if len(name) > CATEGORY_NAME_MAX_LENGTH:
        raise bad_request("name", f"Must be at most {CATEGORY_NAME_MAX_LENGTH} characters")
    return name


def category_color(value: Any) -> str:
    if value not in CATEGORY_COLORS:
        choices = ", ".join(CATEGORY_COLORS)
        raise bad_request("color", f'Invalid enum value "{value}". Expected one of: {choices}')
    return value


def json_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise bad_request(field, f"Not a boolean: {value!r}")
    return value
