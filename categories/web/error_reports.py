"""What DEBUG error pages and error reports may show: never the Asana token
(DEFAULT_EXCEPTION_REPORTER_FILTER)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from categories.access.tokens import tokens_in_use


class TokenHidingExceptionReporterFilter(SafeExceptionReporterFilter):
    """What DEBUG error pages and error reports show, minus the Asana tokens: the
    deployment's and those of people signed in with Asana (categories.access.tokens).

    Django already hides settings named like *TOKEN*. This also hides any frame variable
    that holds the token, such as the Authorization header inside requests/urllib3 frames
    of a chained exception, which Django would otherwise print. (Exception messages never
    hold it: the Asana client words its own errors; see tests/asana/test_safety.py.)
    """

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> list[Any]:
        variables = super().get_traceback_frame_variables(request, tb_frame)
        # The deployment token, and people's tokens signed in with Asana.
        secrets = [s for s in (settings.ASANA_ACCESS_TOKEN, *tokens_in_use()) if s]
        if not secrets:
            return variables
        return [
            (name, self.cleansed_substitute if _mentions(value, secrets) else value)
            for name, value in variables
        ]


def _mentions(value: Any, secrets: list[str]) -> bool:
    try:
        shown = repr(value)
    except Exception:  # a repr that fails cannot be checked, so it is not shown either
        return True
    return any(secret in shown for secret in secrets)
