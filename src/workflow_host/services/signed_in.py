"""What a form may take from the person who fills it in: their name, unit, role and post (职务) from the directory
(`startFromSignedIn` on a user task), so a head confirming their own appearance does not type who they are, and
the day they open it, for what they record as done at this step (the seal affixed)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, now
from ..models import Unit, User

__all__ = ["POSTS", "signed_in_values"]

# the post of each district-level role (process-map.md's lanes), the most senior first: a person with several
# roles is named by the first of theirs
POSTS = {
    "district_head": "区长",
    "executive_vice_head": "常务副区长",
    "vice_head_in_charge": "副区长",
    "office_director": "区政府办公室主任",
    "office_deputy_director": "区政府办公室副主任",
    "justice_bureau_head": "区司法局局长",
}


def _field(schema: Any, path: list[str]) -> dict[str, Any] | None:
    """The schema of the field at a dotted path of object properties, or None."""
    for part in path:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        schema = properties.get(part) if isinstance(properties, dict) else None
    return schema if isinstance(schema, dict) else None


def _heads(session: Session, user: User) -> bool:
    """Whether the person is a head: of a unit (the directory's `head`) or of the district (a role of POSTS)."""
    heads_a_unit = session.scalar(select(Unit.id).where(Unit.head == user.username).limit(1)) is not None
    return heads_a_unit or bool(set(POSTS) & user.role_names)


def _attribute(session: Session, user: User, attribute: str, field: dict[str, Any]) -> str | None:
    """One of the person's directory values: `name`, `head_name` (their name when they are a head, else nothing: a
    clerk is not the head who urged), `unit` (its id), `role` (the first of the field's choices the person holds,
    else their most senior district role), `post` (their post as the directory gives it, else their most senior
    district role's title), `head_post` (their post when they are a head, as head_name), or `today` (the day in
    Beijing)."""
    roles = [role for role in field.get("enum") or POSTS if isinstance(role, str) and role in user.role_names]
    if attribute == "name":
        return user.name
    if attribute == "head_name":
        return user.name if _heads(session, user) else None
    if attribute == "today":
        return now().astimezone(LOCAL_TZ).date().isoformat()
    if attribute == "unit":
        return user.unit_id
    if attribute == "role":
        return roles[0] if roles else None
    if attribute == "post" or (attribute == "head_post" and _heads(session, user)):
        return user.position or next((POSTS[role] for role in POSTS if role in user.role_names), None)
    return None


def signed_in_values(
    session: Session, user: User, schema: Any, fields: dict[str, str], start: dict[str, Any]
) -> dict[str, Any]:
    """`start` (a form's start value) with the fields named in `fields` (dotted path → attribute) that it leaves
    empty filled from `user`'s directory entry; a path the form does not have is skipped. Returns a new object."""
    result = dict(start)
    for dotted, attribute in fields.items():
        path = [part for part in dotted.split(".") if part]
        field = _field(schema, path)
        value = _attribute(session, user, attribute, field) if path and field is not None else None
        if value is None:
            continue
        parent = result
        for part in path[:-1]:
            inner = parent.get(part)
            parent[part] = dict(inner) if isinstance(inner, dict) else {}
            parent = parent[part]
        if parent.get(path[-1]) in (None, ""):
            parent[path[-1]] = value
    return result
