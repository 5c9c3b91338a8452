"""掌上办 backend: the app factory. ``create_app()`` only wires; everything that opens a
connection does so per worker, in ``AppContext.open`` (``app/context.py``), called from the
listeners (``app/listeners.py``)."""

from __future__ import annotations

import importlib

from sanic import Sanic
from sanic_ext.extensions.http.extension import HTTPExtension
from sanic_ext.extensions.openapi.extension import OpenAPIExtension

from app import logs
from app.api_docs import docs_config, install_docs
from app.context import App, AppContext
from app.errors_http import install_error_handlers
from app.listeners import install_listeners
from app.middleware import IdentifiedRequest, install_middleware
from app.path_params import install_path_params
from app.settings import Settings, get_settings
from app.wiring import BLUEPRINT_MODULES

API_DESCRIPTION = """掌上办 — mobile government services backend.

Citizens use `/api/v1/...` with a citizen token (app OTP login, WeChat H5 OAuth or Alipay
mini-program login); staff use `/api/v1/staff/...` with a staff token. Every error is
`{"error": {"code", "message", "fields"}, "request_id"}`."""


def create_app(settings: Settings | None = None, name: str = "zsb") -> App:
    settings = settings or get_settings()
    logs.configure(settings.log_level)
    app: App = Sanic(
        name, ctx=AppContext(settings), configure_logging=False, request_class=IdentifiedRequest
    )
    app.config.update(
        REQUEST_MAX_SIZE=settings.request_max_bytes,
        REQUEST_TIMEOUT=settings.request_timeout,
        RESPONSE_TIMEOUT=settings.response_timeout,
        KEEP_ALIVE_TIMEOUT=15,
        GRACEFUL_SHUTDOWN_TIMEOUT=max(1.0, settings.shutdown_grace_seconds / 2),
        PROXIES_COUNT=settings.proxies_count or None,
        ACCESS_LOG=False,  # Sanic's own access lines have an empty message: ours replace them
        FALLBACK_ERROR_FORMAT="json",
        **docs_config(),
        CORS=False,
        HEALTH=False,
    )
    # OpenAPI and the automatic HEAD/OPTIONS only: sanic-ext's dependency injection (unused
    # here) would otherwise run a signal handler on every request
    app.extend(built_in_extensions=False, extensions=[OpenAPIExtension, HTTPExtension])
    app.ext.openapi.describe("掌上办 API", version="1.0", description=API_DESCRIPTION)
    for scheme in ("citizen", "staff"):
        app.ext.openapi.add_security_scheme(scheme, "http", scheme="bearer", bearer_format="JWT")

    install_path_params(app)
    install_docs(app)
    install_middleware(app)
    install_error_handlers(app)
    install_listeners(app)
    for module_name in BLUEPRINT_MODULES:
        app.blueprint(importlib.import_module(module_name).bp)
    return app
