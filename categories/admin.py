"""The audit log in Django's admin: readable by those allowed, changeable by nobody."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from categories.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "actor_username",
        "action",
        "category_name",
        "category_gid",
        "outcome",
    )
    list_filter = ("action", "outcome", "created_at")
    search_fields = ("actor_username", "category_name", "category_gid", "error_message")
    date_hierarchy = "created_at"

    # Nobody adds, edits or deletes history, superusers included.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
