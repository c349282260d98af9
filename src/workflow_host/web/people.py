"""People by name: pages show who did what by the name the directory gives them, not by their sign-in name."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import select

from ..models import User
from .i18n import _
from .signin import host

__all__ = ["deployer", "init_app", "person"]


def person(username: str | None) -> str:
    """The directory name of `username` (looked up once per request), or the username itself when the directory
    no longer has it; empty for nobody."""
    if not username:
        return ""
    known: dict[str, str] = g.setdefault("people", {})
    if username not in known:
        page_db = g.get("db")  # the page's own transaction (web.signin), while its view renders
        if page_db is not None:
            known[username] = page_db.scalar(select(User.name).where(User.username == username)) or username
        else:
            with host().database.read_transaction() as db:
                known[username] = db.scalar(select(User.name).where(User.username == username)) or username
    return known[username]


CLI_ACTOR = "cli"  # who `workflow-host deploy` (and the other commands) record as the actor


def deployer(username: str | None) -> str:
    """Who deployed a version, by name; a deploy from the command line said so (not "cli")."""
    name = person(username)
    if username == CLI_ACTOR and name == CLI_ACTOR:
        return _("Deployed from the command line")
    return name


def init_app(app: Flask) -> None:
    app.jinja_env.globals["person"] = person
    app.jinja_env.globals["deployer"] = deployer
