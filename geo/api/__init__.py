"""OGC API – Features over the store, run by pygeoapi.

``config.py`` builds pygeoapi's configuration from the settings, ``features.py`` holds the
read-only feature indexes (sites from the store, boundary and reference layers from files),
``provider.py`` is pygeoapi's provider plugin over them, ``server.py`` the Flask app (token check,
input checks, read-only routes) that ``make api`` / ``python -m geo api`` starts.
"""
