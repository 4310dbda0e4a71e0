"""`manage.py rotate_token_keys`: every stored sign-in is encrypted again with the new first
key, after which the old key can be dropped."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from categories.access.models import AsanaGrant
from categories.access.tokens import access_token_of, refresh_token_of
from tests.support.asana_sign_in import PRIYA, sign_in_with_asana

pytestmark = pytest.mark.usefixtures("seeded_sandbox")


def test_rotating_re_encrypts_so_the_old_key_can_go(client: Any, settings: Any) -> None:
    sign_in_with_asana(client, PRIYA)
    grant = AsanaGrant.objects.get()
    token, refresh = access_token_of(grant), refresh_token_of(grant)
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, *settings.TOKEN_ENCRYPTION_KEYS]
    out = StringIO()

    call_command("rotate_token_keys", stdout=out)

    assert "1 sign-in(s) encrypted with the first key." in out.getvalue()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    grant.refresh_from_db()
    assert access_token_of(grant) == token
    assert refresh_token_of(grant) == refresh
