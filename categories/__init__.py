"""The Django app "categories": a dashboard for Asana's time tracking categories.

The package root is the category domain: the audit log (`models`, `audit`), the writes
(`services`: category_create, category_update, category_archive, category_unarchive,
category_delete) and reads (`selectors`: category_list, category_get, audit_entry_list),
the categories screens' `forms`, `views` and `urls` (which also include every other
package's URLs). Sub-packages, one per concern: `asana` (the plain-Python Asana client),
`sandbox` (the offline Asana), `web` (the frame every screen runs in), `access` (roles
and sign-in) and `reports` (what managers read). The root may import `asana`, `web` and
`access`; never `reports` or `sandbox`.
"""
