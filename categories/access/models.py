"""What signing in with Asana keeps: a person's grant (who they are in Asana and their
tokens, encrypted) and their role in each of their workspaces.

Tokens are stored only as ciphertext (`categories.access.tokens`): the database, its
backups and the Django admin never hold a token an Asana request would accept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AsanaGrant(models.Model):
    """A person's sign-in with Asana, one per dashboard user (and per Asana user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="asana_grant"
    )
    asana_user_gid = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    # Fernet ciphertext (TOKEN_ENCRYPTION_KEYS), never the tokens themselves.
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField()
    access_expires_at = models.DateTimeField()
    signed_in_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(null=True, blank=True)
    roles_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "sign-in with Asana"
        verbose_name_plural = "sign-ins with Asana"

    def __str__(self) -> str:
        return f"{self.name or self.asana_user_gid} (Asana)"


class WorkspaceRole(models.Model):
    """A person's standing in one Asana workspace: `is_admin` and `is_guest` as Asana says
    (asked again at sign-in and at least every ASANA_ROLES_RECHECK_SECONDS), `is_manager`
    as an admin of that workspace granted it in the dashboard."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_roles"
    )
    workspace_gid = models.CharField(max_length=32)
    workspace_name = models.CharField(max_length=200, blank=True)
    is_admin = models.BooleanField(default=False)
    is_guest = models.BooleanField(default=False)
    is_manager = models.BooleanField(default=False)
    manager_granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "workspace_gid"], name="access_one_role_per_workspace"
            )
        ]
        ordering = ["workspace_name", "user_id"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace_name or self.workspace_gid}: {self.label}"

    @property
    def label(self) -> str:
        """The dashboard role this standing gives, as people read it."""
        if self.is_guest:
            return "Guest (no access)"
        if self.is_admin:
            return "Workspace admin"
        if self.is_manager:
            return "Manager"
        return "Member"
