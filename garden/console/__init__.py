"""The operator console: server-rendered pages (Jinja2 + htmx) at ``/console/`` of the garden's listener.

Installed by ``garden.app.create_app`` (``garden.console.app.install``); see ``docs/console.md``.
"""
