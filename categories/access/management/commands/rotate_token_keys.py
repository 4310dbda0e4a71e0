"""Encrypt every stored Asana sign-in again with the first of TOKEN_ENCRYPTION_KEYS.

Rotation: put the new key first in TOKEN_ENCRYPTION_KEYS (keep the old one after it),
restart, run this, then drop the old key and restart again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from categories.access.tokens import rotate_token_keys


class Command(BaseCommand):
    help = "Encrypt every stored sign-in with Asana again with the first TOKEN_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated, unreadable = rotate_token_keys()
        self.stdout.write(f"{rotated} sign-in(s) encrypted with the first key.")
        if unreadable:
            self.stdout.write(
                f"{unreadable} sign-in(s) no key opens were deleted: those people sign in "
                "with Asana again."
            )
