"""``geo.api.wsgi:application`` for a WSGI server (gunicorn, uWSGI, mod_wsgi) behind the proxy;
``python -m geo api`` serves the same app with werkzeug's threaded server."""

from __future__ import annotations

from geo.api.server import create_app

application = create_app()
