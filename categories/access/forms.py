"""The forms of the access pages."""

from __future__ import annotations

from django import forms


class ManagerRoleForm(forms.Form):
    """Grant or withdraw one person's manager role (reviewing time) in the workspace."""

    person = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    is_manager = forms.BooleanField(required=False)
