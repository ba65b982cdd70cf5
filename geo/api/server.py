"""The OGC API – Features service: pygeoapi's API object behind a small read-only Flask app.

Only GET routes exist (the store is never written through the API). Before pygeoapi sees a
request, :func:`geo.api.checks.check_request` refuses hostile query values with a 400 JSON error
and :func:`geo.api.access.check_access` asks for a personal API token when
``P03_READ_REQUIRES_LOGIN`` is on. Errors are JSON (or escaped text), never a traceback.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask, Response, request, send_from_directory
from werkzeug.exceptions import HTTPException

from geo import settings
from geo.api import access, checks, config, locale
from geo.errors import P03Error

TEMPLATES = Path(__file__).with_name("templates")
LOG = logging.getLogger("geo.api")


def create_app(url: str | None = None, lang: str | None = None) -> Flask:
    """The WSGI app serving the API at ``url`` (default ``http://127.0.0.1:P03_API_PORT``)."""
    import pygeoapi
    from pygeoapi.api import API
    from pygeoapi.openapi import get_oas

    _fast_json()
    _read_only_conformance()
    logging.getLogger("pygeoapi").setLevel(logging.ERROR)  # its l10n warns on every config key
    lang = lang or str(settings.get("P03_LANG"))
    url = url or str(settings.get("P03_API_URL")) or f"http://127.0.0.1:{settings.get('P03_API_PORT')}"
    locale_dir = Path(tempfile.mkdtemp(prefix="p03-api-locale-"))
    locale.write_catalogues(locale_dir)
    cfg = config.build(url, lang, templates=TEMPLATES, locale_dir=locale_dir)
    api = API(cfg, get_oas(cfg, fail_on_invalid_collection=False))
    attributions = config.attributions()
    static = Path(pygeoapi.__file__).with_name("static")
    app = Flask("geo.api", static_folder=None)
    app.url_map.strict_slashes = False
    app.config["P03_API"] = api
    _hooks(app, lang, attributions)
    _routes(app, api, static)
    return app


def _hooks(app: Flask, lang: str, attributions: dict[str, str]) -> None:
    """The guards, headers and error pages around every request."""

    @app.before_request
    def _guard() -> Response | None:
        problem = checks.check_request(request.path, request.args, lang)
        if problem is not None:
            return problem
        return access.check_access(request, lang)

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["X-Content-Type-Options"] = "nosniff"
        if resp.mimetype == "text/html":
            resp.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                       "style-src 'self' 'unsafe-inline'; script-src 'none'")
        return _with_attribution(resp, attributions)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return checks.error(exc.code or 500, "NotFound" if exc.code == 404 else "InvalidRequest",
                            str(exc.description or exc.name), lang)

    @app.errorhandler(P03Error)
    def _p03_error(exc: P03Error) -> Response:
        return checks.error(503, "ServerError", exc.message(lang), lang)

    @app.errorhandler(Exception)
    def _any_error(exc: Exception) -> Response:
        LOG.exception("API request failed: %s", request.path)
        return checks.error(500, "ServerError", "internal error / lỗi máy chủ", lang)


def _fast_json() -> None:
    """Serialise feature pages with orjson instead of the json module (5-10× faster on 10,000
    features; the same JSON). pygeoapi's item functions call ``to_json`` by module name."""
    import orjson
    import pygeoapi.api.itemtypes as items
    from pygeoapi.util import json_serial

    def to_json(dict_: dict[str, Any], pretty: bool = False) -> str:
        opts = orjson.OPT_SERIALIZE_NUMPY | (orjson.OPT_INDENT_2 if pretty else 0)
        return orjson.dumps(dict_, default=json_serial, option=opts).decode("utf-8")

    items.to_json = to_json


def _read_only_conformance() -> None:
    """Do not claim OGC API – Features part 4 (create/replace/delete): this service is read-only,
    and a client seeing it would offer editing that can only fail."""
    import pygeoapi.api.itemtypes as items

    items.CONFORMANCE_CLASSES_FEATURES[:] = [c for c in items.CONFORMANCE_CLASSES_FEATURES
                                             if "ogcapi-features-4" not in c]


def _run(api: Any, function: Any, *args: Any) -> Response:
    """Call a pygeoapi API function on the current Flask request."""
    from pygeoapi.api import APIRequest, apply_gzip

    from geo.api.provider import RAW_JSON

    api_request = APIRequest.from_flask(request, api.locales)
    if not api_request.is_valid():
        headers, status, content = api.get_format_exception(api_request)
    else:
        token = RAW_JSON.set(api_request.format in (None, "json"))
        try:
            headers, status, content = function(api, api_request, *args)
        finally:
            RAW_JSON.reset(token)
        content = apply_gzip(headers, content)
    resp = Response(content, status)
    if headers:
        resp.headers.update(headers)
    return resp


def _routes(app: Flask, api: Any, static: Path) -> None:
    import pygeoapi.api as core
    import pygeoapi.api.itemtypes as items

    from geo import styles

    app.add_url_rule("/", "landing", lambda: _run(api, core.landing_page))
    app.add_url_rule("/openapi", "openapi", lambda: _run(api, core.openapi_))
    app.add_url_rule("/conformance", "conformance", lambda: _run(api, core.conformance))
    app.add_url_rule("/collections", "collections", lambda: _run(api, core.describe_collections, None))
    app.add_url_rule("/collections/<cid>", "collection", lambda cid: _run(api, core.describe_collections, cid))
    app.add_url_rule("/collections/<cid>/queryables", "queryables",
                     lambda cid: _run(api, items.get_collection_queryables, cid))
    app.add_url_rule("/collections/<cid>/schema", "schema", lambda cid: _run(api, core.get_collection_schema, cid))
    app.add_url_rule("/collections/<cid>/items", "items", lambda cid: _run(api, items.get_collection_items, cid))
    app.add_url_rule("/collections/<cid>/items/<path:iid>", "item",
                     lambda cid, iid: _run(api, items.get_collection_item, cid, iid))
    app.add_url_rule("/static/<path:name>", "static", lambda name: send_from_directory(static, name))
    app.add_url_rule("/styles/sites.qml", "qml", lambda: Response(
        styles.qml(request.args.get("kind", "point"), lang=_lang()), mimetype="application/xml",
        headers={"Content-Disposition": "attachment; filename=p03_sites.qml"}))
    app.add_url_rule("/styles/sites.sld", "sld", lambda: Response(
        styles.sld(lang=_lang()), mimetype="application/vnd.ogc.sld+xml",
        headers={"Content-Disposition": "attachment; filename=p03_sites.sld"}))


def _lang() -> str:
    value = request.args.get("lang") or str(settings.get("P03_LANG"))
    return "en" if value.startswith("en") else "vi"


def _with_attribution(resp: Response, attributions: dict[str, str]) -> Response:
    """Add ``attribution`` to every collection's JSON metadata (OGC API allows extra members)."""
    if not request.path.startswith("/collections") or "/items" in request.path or resp.status_code != 200:
        return resp
    if resp.mimetype != "application/json":
        return resp
    try:
        doc = json.loads(resp.get_data())
    except ValueError:
        return resp
    for coll in doc.get("collections", [doc]):
        if isinstance(coll, dict) and coll.get("id") in attributions:
            coll["attribution"] = attributions[coll["id"]]
    resp.set_data(json.dumps(doc, ensure_ascii=False))
    return resp


def serve(host: str = "127.0.0.1", port: int | None = None) -> None:
    """Serve the API with werkzeug's threaded server (``make api``; behind a proxy in production)."""
    from werkzeug.serving import run_simple

    port = port or int(settings.get("P03_API_PORT"))
    app = create_app(str(settings.get("P03_API_URL")) or f"http://{host}:{port}")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
