"""People by name: pages show who did what by the name the directory gives them, with their post (职务) when it
gives one, not by their sign-in name."""

from __future__ import annotations

from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import User
from .i18n import _
from .signin import host

__all__ = ["deployer", "init_app", "named", "person", "person_with_account"]


def named(name: str, position: str | None) -> str:
    """A person as the pages name them: 王某某（局长） when the directory gives their post (职务), else the name."""
    return f"{name}（{position}）" if position else name


def _looked_up(db: Session, username: str) -> tuple[str, str | None] | None:
    found = db.execute(select(User.name, User.position).where(User.username == username)).first()
    return (found.name, found.position) if found else None


def _directory_entry(username: str) -> tuple[str, str | None] | None:
    """A user's name and post as the directory gives them (looked up once per request); None when it no longer
    has them."""
    known: dict[str, tuple[str, str | None] | None] = g.setdefault("people", {})
    if username not in known:
        page_db = g.get("db")  # the page's own transaction (web.signin), while its view renders
        if page_db is not None:
            known[username] = _looked_up(page_db, username)
        else:
            with host().database.read_transaction() as db:
                known[username] = _looked_up(db, username)
    return known[username]


def person(username: str | None) -> str:
    """The directory name of `username` with their post when it has one, or the username itself when the
    directory no longer has it; empty for nobody."""
    if not username:
        return ""
    found = _directory_entry(username)
    return named(*found) if found else username


def person_with_account(username: str) -> str:
    """A person as a record that must name the account too gives them: 王某某（区长，district_head）, 王某某
    （clerk） without a post, the username alone when the directory no longer has it or names it so."""
    found = _directory_entry(username)
    if found is None or found[0] == username:
        return username
    name, position = found
    return f"{name}（{position}，{username}）" if position else f"{name}（{username}）"


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
    app.jinja_env.globals["named"] = named
