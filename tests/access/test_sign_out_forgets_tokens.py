"""Signing out forgets the person's Asana tokens: the dashboard keeps none of a person who
is not signed in."""

from __future__ import annotations

from typing import Any

import pytest

from categories.access.models import AsanaGrant
from tests.support.asana_sign_in import PRIYA, sign_in_with_asana

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def test_signing_out_deletes_the_stored_tokens(client: Any) -> None:
    sign_in_with_asana(client, PRIYA)
    assert AsanaGrant.objects.count() == 1

    client.post("/accounts/logout/")

    assert AsanaGrant.objects.count() == 0
    assert client.get("/").status_code == 302  # signed out: to the login page
