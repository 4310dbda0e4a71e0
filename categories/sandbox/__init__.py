"""An offline, Asana-compatible sandbox for time tracking categories (demo mode and tests).

`api.handle` answers Asana's REST calls from Django models; `adapter.SandboxAdapter` plugs it
into a `requests.Session` and `server` serves it over real HTTP. Faults can be injected.
"""
