"""The reference for (a): Asana's official Python SDK (v5), automatic pagination."""

from __future__ import annotations

import datetime as dt
from typing import Any

INSTALL_HINT = 'the official SDK is not installed: .venv/bin/pip install "asana>=5,<6" (make bench)'


def sdk_available() -> bool:
    try:
        import asana  # noqa: F401
    except ImportError:
        return False
    return True


class SdkEntries:
    """`TimeTrackingCategoriesApi` on one `ApiClient` (one connection pool) at `base_url`."""

    def __init__(self, *, base_url: str, token: str) -> None:
        import asana

        configuration = asana.Configuration()
        configuration.host = base_url
        configuration.access_token = token
        self._api: Any = asana.TimeTrackingCategoriesApi(asana.ApiClient(configuration))

    def entry_gids(self, gid: str, *, start: dt.date, end: dt.date, opt_fields: str) -> list[str]:
        """Every entry of the category in the range; the SDK follows `next_page` itself."""
        # A fresh dict each call: the SDK's page iterator writes the offset into it.
        opts = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "limit": 100,
            "opt_fields": opt_fields,
        }
        items = self._api.get_time_tracking_entries_for_time_tracking_category(gid, opts)
        return [str(item["gid"]) for item in items]
