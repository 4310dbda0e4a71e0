"""The Asana service layer: one careful client and its typed records and errors."""

from .client import AsanaClient
from .colors import CATEGORY_COLORS, CATEGORY_NAME_MAX_LENGTH, color_label
from .errors import (
    AsanaAuthError,
    AsanaBadRequest,
    AsanaError,
    AsanaForbidden,
    AsanaNotFound,
    AsanaRateLimited,
    AsanaUnavailable,
    BudgetExhausted,
    TooManyPages,
)
from .resources import (
    Category,
    Page,
    Reference,
    TimeEntry,
    TimeEntryDetail,
    User,
    Workspace,
)
from .retry import NO_RETRIES, RetryPolicy

__all__ = [
    "CATEGORY_COLORS",
    "CATEGORY_NAME_MAX_LENGTH",
    "NO_RETRIES",
    "AsanaAuthError",
    "AsanaBadRequest",
    "AsanaClient",
    "AsanaError",
    "AsanaForbidden",
    "AsanaNotFound",
    "AsanaRateLimited",
    "AsanaUnavailable",
    "BudgetExhausted",
    "Category",
    "Page",
    "Reference",
    "RetryPolicy",
    "TimeEntry",
    "TimeEntryDetail",
    "TooManyPages",
    "User",
    "Workspace",
    "color_label",
]
