"""The home page: the current workspace's categories (the full screen comes later)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from categories import services
from categories.permissions import viewer_required
from categories.workspaces import current_workspace


@require_GET
@viewer_required
def home(request: HttpRequest) -> HttpResponse:
    workspace = current_workspace(request)
    categories = services.list_categories(workspace_gid=workspace.gid) if workspace else []
    return render(request, "home.html", {"categories": categories})
