"""Who may use the dashboard and what they may do: roles and capabilities (`roles`, plain
Django auth), the decorator every view names (`decorators`), sign-in required everywhere
(`middleware`), login throttling with django-axes (`throttling`), demo mode's accounts
(`demo_accounts`) and the sign-in, 403 and CSRF-failure views. `roles` imports only
Django; the rest may import Django, django-htmx, django-axes and the frame's problem and
HTMX helpers (`categories.web.htmx`, `categories.web.problems`); never the category
domain, the reports, the sandbox or the Asana client.
"""
