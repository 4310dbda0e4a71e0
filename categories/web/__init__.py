"""The frame every screen runs in: what a request needs before any screen's own code.

Owns building the one `AsanaClient` from settings (`client`), the shared thread pools
(`pool`), Asana's answers kept briefly in Django's cache (`answer_cache`), who the token
is and which workspace a person is in (`identity`), Asana's errors in words a person
reads (`problems`), the one HTMX helper module (`htmx`), the middlewares, the context
processor, the health probes and the workspace switch. It may import Django,
`categories.asana`, `categories.access.roles` (who may see what; its own two views use
`categories.access.decorators`) and the sandbox (only to mount it in demo mode); never
the category domain, the reports or any other package's views.
"""
