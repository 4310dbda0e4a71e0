"""Every injected fault on every screen and action: a clear message, the right status (never
500), HTMX answers that land in the page, typed input kept, and nothing changed in Asana."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from categories.sandbox.faults import clear_faults, inject_fault
from categories.sandbox.models import SandboxCategory
from tests.support.screens import htmx

pytestmark = pytest.mark.django_db

ENGINEERING = "1209000000000001"
TYPED_NAME = "Resilience & <recovery>"
TYPED_NAME_HTML = "Resilience &amp; &lt;recovery&gt;"


@dataclass(frozen=True)
class Fault:
    name: str
    rule: dict[str, Any]
    status: int  # the status of the dashboard's own answer
    words: str  # what the message must say


@dataclass(frozen=True)
class Screen:
    name: str
    method: str
    url: str
    data: dict[str, str] = field(default_factory=dict)
    target: str | None = None  # the HTMX target; None: a plain request for a whole page
    keeps_input: bool = False  # a form: the answer shows what was typed

    @property
    def is_htmx(self) -> bool:
        return self.target is not None


# Only the time tracking calls fail: who-am-I and the workspace list still answer.
ON_CATEGORIES = {"path_pattern": "time_tracking"}
FAULTS = [
    Fault(
        "429",
        {"kind": "status", "status": 429, "retry_after": 60},
        429,
        "Asana is rate limiting requests; try again in 60 s.",
    ),
    Fault("500", {"kind": "status", "status": 500}, 503, "error phrase"),
    Fault("timeout", {"kind": "timeout", "latency_ms": 1}, 503, "Asana did not answer in time"),
    Fault("refused", {"kind": "connection_refused"}, 503, "Could not connect to Asana"),
    Fault("malformed", {"kind": "malformed"}, 503, "Asana is unavailable"),
    Fault("401", {"kind": "status", "status": 401}, 502, "The Asana token is invalid or expired"),
    Fault("403", {"kind": "status", "status": 403}, 403, "the token lacks the"),
]

EDIT = {
    "name": TYPED_NAME,
    "color": "aqua",
    "original_name": "Engineering",
    "original_color": "blue",
}
SCREENS = [
    Screen("list page", "GET", "/"),
    Screen("list tab", "GET", "/?state=archived", target="category-panel"),
    Screen("list search", "GET", "/?q=eng", target="category-panel"),
    Screen("entries page", "GET", f"/categories/{ENGINEERING}/entries/"),
    Screen(
        "entries preset",
        "GET",
        f"/categories/{ENGINEERING}/entries/?range=this-month",
        target="entries-panel",
    ),
    Screen(
        "open edit", "GET", f"/categories/{ENGINEERING}/edit/", target=f"category-{ENGINEERING}"
    ),
    Screen("open edit page", "GET", f"/categories/{ENGINEERING}/edit/"),
    Screen(
        "cancel edit", "GET", f"/categories/{ENGINEERING}/row/", target=f"category-{ENGINEERING}"
    ),
    Screen(
        "confirm delete",
        "GET",
        f"/categories/{ENGINEERING}/confirm-delete/",
        target="dialog-slot",
    ),
    Screen(
        "archive", "POST", f"/categories/{ENGINEERING}/archive/", target=f"category-{ENGINEERING}"
    ),
    Screen("archive page", "POST", f"/categories/{ENGINEERING}/archive/"),
    Screen(
        "delete", "POST", f"/categories/{ENGINEERING}/delete/", target=f"category-{ENGINEERING}"
    ),
    Screen(
        "create",
        "POST",
        "/categories/create/",
        {"name": TYPED_NAME, "color": "aqua"},
        target="create-form",
        keeps_input=True,
    ),
    Screen(
        "create page",
        "POST",
        "/categories/create/",
        {"name": TYPED_NAME, "color": "aqua"},
        keeps_input=True,
    ),
    Screen(
        "save edit",
        "POST",
        f"/categories/{ENGINEERING}/update/",
        EDIT,
        target=f"category-{ENGINEERING}",
        keeps_input=True,
    ),
    Screen("save edit page", "POST", f"/categories/{ENGINEERING}/update/", EDIT, keeps_input=True),
]


def expected_words(fault: Fault, screen: Screen) -> str:
    """A create that may have reached Asana is checked in Asana's list, which fails too."""
    sent_but_unanswered = fault.name in ("500", "timeout", "malformed")
    if screen.name.startswith("create") and sent_but_unanswered:
        return "may or may not have been created"
    return fault.words


def send(client: Any, screen: Screen) -> Any:
    headers = htmx(screen.target) if screen.is_htmx else {}
    if screen.method == "GET":
        return client.get(screen.url, **headers)
    return client.post(screen.url, screen.data, **headers)


def engineering() -> tuple[str, str, bool]:
    category = SandboxCategory.find(ENGINEERING)
    return category.name, category.color, category.is_archived


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.name)
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_every_fault_on_every_screen_is_a_clear_message_with_the_right_status(
    admin_http: Any, fault: Fault, screen: Screen
) -> None:
    before = engineering()
    inject_fault(**fault.rule, **ON_CATEGORIES)

    response = send(admin_http, screen)

    html = response.content.decode()
    assert response.status_code == fault.status
    assert expected_words(fault, screen) in html
    if screen.is_htmx and not screen.keeps_input:
        # htmx would swap a problem into the row, panel or dialog: it goes to #problems.
        assert response["HX-Retarget"] == "#problems"
        assert response["HX-Reswap"] == "innerHTML"
    if not screen.is_htmx:
        assert "<html" in html  # a whole page, header and all
    if screen.keeps_input:
        assert f'value="{TYPED_NAME_HTML}"' in html
        assert 'value="aqua" checked' in html
    assert engineering() == before
    assert not SandboxCategory.objects.filter(name=TYPED_NAME).exists()


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.name)
def test_the_dashboard_is_back_as_soon_as_the_fault_is_gone(admin_http: Any, fault: Fault) -> None:
    inject_fault(**fault.rule, **ON_CATEGORIES)
    assert admin_http.get("/").status_code == fault.status

    clear_faults()

    response = admin_http.get("/")
    assert response.status_code == 200
    assert "Engineering" in response.content.decode()


def test_a_rate_limit_answer_tells_the_browser_when_to_retry(admin_http: Any) -> None:
    inject_fault(kind="status", status=429, retry_after=60, **ON_CATEGORIES)

    response = admin_http.get("/")

    assert response["Retry-After"] == "60"


def test_a_fault_on_the_token_check_of_the_header_does_not_take_the_page_down(
    admin_http: Any,
) -> None:
    # The header's "signed in to Asana as" look-up fails; the list itself still answers.
    admin_http.get("/")  # the identity is cached now
    inject_fault(kind="status", status=500, path_pattern="users/me")

    assert admin_http.get("/").status_code == 200


def test_a_reviewer_is_told_to_ask_an_administrator_about_a_bad_token(reviewer_http: Any) -> None:
    inject_fault(kind="status", status=401, **ON_CATEGORIES)

    response = reviewer_http.get("/")

    html = response.content.decode()
    assert response.status_code == 502
    assert "Ask an administrator" in html
    assert "set it as ASANA_ACCESS_TOKEN on the server" not in html


def test_an_admin_is_told_how_to_replace_a_bad_token(admin_http: Any) -> None:
    inject_fault(kind="status", status=401, **ON_CATEGORIES)

    html = admin_http.get("/").content.decode()

    assert "set it as ASANA_ACCESS_TOKEN on the server" in html


@pytest.mark.parametrize(
    ("refused", "url", "scope"),
    [
        ("GET", "/", "time_tracking_categories:read"),
        ("PUT", f"/categories/{ENGINEERING}/archive/", "time_tracking_categories:write"),
        ("DELETE", f"/categories/{ENGINEERING}/delete/", "time_tracking_categories:delete"),
    ],
    ids=["list", "archive", "delete"],
)
def test_a_403_names_the_scope_the_action_needs(
    admin_http: Any, refused: str, url: str, scope: str
) -> None:
    # Only the action's own call is refused (reading the category first still works).
    inject_fault(kind="status", status=403, method=refused, **ON_CATEGORIES)

    response = admin_http.get(url) if refused == "GET" else admin_http.post(url, **htmx())

    assert response.status_code == 403
    assert f"the token lacks the {scope} scope" in response.content.decode()
