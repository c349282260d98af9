"""Workflow host: executable BPMN for the Shiguai District litigation-response measures."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Settings
from .host import Host

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, the host's database and engine, the blueprints."""
    app = Flask(
        __name__,
        instance_path=str(Path.cwd() / "instance"),
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    settings = Settings.from_env(Path(app.instance_path))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=64 * 1024 * 1024,  # a page form with several evidence files
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.token_hours),
        PROXY_HOPS=settings.proxy_hops,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable in API answers
    if test_config:
        app.config.update(test_config)
    if app.config["PROXY_HOPS"]:  # the client's address (counted on failed sign-ins) as the proxies in front saw it
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_HOPS"]))  # type: ignore[method-assign]
    host = (test_config or {}).get("HOST") or Host.create(settings)
    app.extensions["workflow_host"] = host

    from .web import (
        account,
        api,
        cases,
        converters,
        decisions,
        errors,
        headers,
        i18n,
        inbox,
        modeller,
        people,
        reports,
        tasks,
        termination,
    )

    converters.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    i18n.init_i18n(app)
    people.init_app(app)
    blueprints = (api.bp, account.bp, inbox.bp, tasks.bp, cases.bp, termination.bp, reports.bp, modeller.bp)
    for blueprint in (*blueprints, decisions.bp):
        app.register_blueprint(blueprint)
    return app
