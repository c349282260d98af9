"""Workflow host: executable BPMN for the Shiguai District litigation-response measures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from .config import Settings
from .host import Host

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app: settings, the host's database and engine, the blueprints."""
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"), instance_relative_config=True)
    settings = Settings.from_env(Path(app.instance_path))
    app.config.from_mapping(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=settings.max_upload_bytes * 4)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese stays readable in API answers
    if test_config:
        app.config.update(test_config)
    host = (test_config or {}).get("HOST") or Host.create(settings)
    app.extensions["workflow_host"] = host

    from .web import api, errors

    errors.init_app(app)
    app.register_blueprint(api.bp)
    return app
