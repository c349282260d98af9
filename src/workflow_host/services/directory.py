"""Load the organisation directory (units, users, roles) from its YAML file."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..engine import now
from ..models import LoginFailure, Unit, User, UserRole
from .devices import forget_devices, trusted_device
from .errors import Invalid, TooManyAttempts
from .form_fields import values_at
from .passwords import hash_password, is_known_hash, needs_rehash, verify_nobody, verify_password

__all__ = ["DirectorySummary", "authenticate", "check_unit_values", "extra_units", "load_directory", "unit_choices"]

MAX_POSITION = 40  # characters of a post (职务), as the user_account column holds them
UNIT_KINDS = {"gov_office", "justice_bureau", "department", "township", "subdistrict", "park", "other"}

DirectorySummary = dict[str, int]


def _require(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where}: '{key}' is required")
    return value.strip()


def load_directory(session: Session, text: str) -> DirectorySummary:
    """Create or update units and users from the directory file; users not in the file are kept."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise Invalid(f"directory file is not valid YAML: {err}") from None
    if not isinstance(doc, dict):
        raise Invalid("directory file must be a mapping with 'units' and 'users'")
    units = doc.get("units") or []
    users = doc.get("users") or []
    unit_ids = {u.id for u in session.scalars(select(Unit))}
    for i, entry in enumerate(units):
        _load_unit(session, entry, f"units[{i}]")
        unit_ids.add(entry["id"])
    lines = _entry_lines(text, "users")
    for i, entry in enumerate(users):
        _load_user(session, entry, _user_where(i, entry, lines), unit_ids)
    return {"units": len(units), "users": len(users)}


def _entry_lines(text: str, key: str) -> list[int]:
    """The line of the file each entry of the top-level list `key` starts on (1-based), for errors that say where."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    found = next((value for name, value in node.value if name.value == key), None)
    if not isinstance(found, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in found.value]


def _user_where(index: int, entry: Any, lines: list[int]) -> str:
    """How an error names a user entry: its place in the list, its username and its line in the file."""
    username = entry.get("username") if isinstance(entry, dict) else None
    said = [f"{username}" if isinstance(username, str) and username.strip() else ""]
    said.append(f"line {lines[index]}" if index < len(lines) else "")
    details = ", ".join(part for part in said if part)
    return f"users[{index}] ({details})" if details else f"users[{index}]"


def _position(entry: dict[str, Any], where: str) -> str | None:
    """The user's post (职务), optional: text of at most MAX_POSITION characters; empty is none."""
    value = entry.get("position")
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{where}: 'position' must be text (a post such as 局长), not {type(value).__name__}")
    value = value.strip()
    if len(value) > MAX_POSITION:
        raise Invalid(f"{where}: 'position' is {len(value)} characters long; at most {MAX_POSITION} are allowed")
    return value or None


def _load_unit(session: Session, entry: Any, where: str) -> None:
    if not isinstance(entry, dict):
        raise Invalid(f"{where}: must be a mapping")
    unit_id = _require(entry, "id", where)
    kind = entry.get("kind", "other")
    if kind not in UNIT_KINDS:
        raise Invalid(f"{where}: kind '{kind}' is not one of {sorted(UNIT_KINDS)}")
    unit = session.get(Unit, unit_id) or Unit(id=unit_id)
    unit.name = _require(entry, "name", where)
    unit.kind = kind
    unit.head = entry.get("head")
    unit.supervisor = entry.get("supervisor")
    session.add(unit)


def _load_user(session: Session, entry: Any, where: str, unit_ids: set[str]) -> None:
    if not isinstance(entry, dict):
        raise Invalid(f"{where}: must be a mapping")
    username = _require(entry, "username", where)
    unit_id = entry.get("unit")
    if unit_id is not None and unit_id not in unit_ids:
        raise Invalid(f"{where}: unit '{unit_id}' is not in the directory")
    roles = entry.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Invalid(f"{where}: roles must be a list of names")
    user = session.get(User, username) or User(username=username, active=True)
    user.name = entry.get("name") or username
    user.position = _position(entry, where)
    user.unit_id = unit_id
    _load_password(session, user, entry, where)
    user.roles = [UserRole(role=r) for r in dict.fromkeys(roles)]
    session.add(user)


def _load_password(session: Session, user: User, entry: dict[str, Any], where: str) -> None:
    """Set the user's password from the entry; when it changed, no browser the user signed in from is trusted any
    more (services.devices). A file that repeats the same password keeps them (the hash is renewed only when it is
    of an older kind)."""
    before, changed = user.password_hash, False
    if entry.get("password_hash"):
        if not is_known_hash(str(entry["password_hash"])):
            raise Invalid(f"{where}: 'password_hash' must be an argon2, pbkdf2 or scrypt hash")
        changed = str(entry["password_hash"]) != before
        user.password_hash = str(entry["password_hash"])
    elif entry.get("password"):
        password = str(entry["password"])
        changed = not before or not verify_password(before, password)
        if changed or needs_rehash(before):
            user.password_hash = hash_password(password)
    elif not before:
        raise Invalid(f"{where}: 'password' or 'password_hash' is required for a new user")
    if before and changed:
        forget_devices(session, user.username)


MAX_FAILURES = 5  # for one username from one address (an IPv6 address counts by its /64 network)
MAX_FAILURES_ANYWHERE = 50  # for one username from every address together
MAX_DEVICE_FAILURES = 5  # for one username from one trusted device (services.devices)
FAILURE_WINDOW = timedelta(minutes=15)


def source_of(address: str | None) -> str:
    """The source a failed sign-in is counted against: the IPv4 address, or the /64 network of an IPv6 one (a
    single host is usually given a whole /64, so counting its addresses one by one would count nothing)."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 address a.b.c.d
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def authenticate(
    session: Session, username: str, password: str, address: str | None = None, devices: Sequence[str] = ()
) -> User | None:
    """The active user with these credentials, or None (and the failure counted against the username and the
    source `address`, or the trusted device). After MAX_FAILURES failures of one username from one source within
    FAILURE_WINDOW, that source is refused for that username, right password or not, until the window has passed;
    after MAX_FAILURES_ANYWHERE from all sources together, every source is. So one guesser cannot lock a user out
    (the user signs in from elsewhere), and guessing spread over many sources is still bounded. An attempt from a
    browser the user signed in with before (`devices`: the ids of its device cookie) is counted only for that
    device, MAX_DEVICE_FAILURES of them: guessing from elsewhere never locks the user out of their own browser."""
    at = now()
    name, source = username[:64], source_of(address)
    device = trusted_device(session, name, devices)
    _refuse_when_throttled(session, name, source, device, at)
    user = session.get(User, username)
    if user is None or not user.active:
        verify_nobody(password)  # as long as a real check: the time taken tells nothing about the account
    if user is None or not user.active or not verify_password(user.password_hash, password):
        session.execute(delete(LoginFailure).where(LoginFailure.at <= at - FAILURE_WINDOW))  # nothing old piles up
        session.add(LoginFailure(username=name, address=source, device=device, at=at))
        return None
    if needs_rehash(user.password_hash):  # an older kind of hash: replaced now that the password is known
        user.password_hash = hash_password(password)
    return user


def _refuse_when_throttled(session: Session, name: str, source: str, device: str | None, at: datetime) -> None:
    """TooManyAttempts when the recent failures for `name` from this device, or (without one) from this source or
    from every source, have reached their limit. Failures from trusted devices count only for their device."""
    recent = (LoginFailure.username == name, LoginFailure.at > at - FAILURE_WINDOW)
    if device is not None:
        tried = session.scalar(select(func.count()).where(*recent, LoginFailure.device == device))
        if (tried or 0) >= MAX_DEVICE_FAILURES:
            raise TooManyAttempts(f"too many failed sign-ins for {name} from this device; try again in 15 minutes")
        return
    untrusted = LoginFailure.device.is_(None)
    counts = select(func.count(), func.count().filter(LoginFailure.address == source))
    anywhere, here = session.execute(counts.where(*recent, untrusted)).one()
    if here >= MAX_FAILURES:
        raise TooManyAttempts(f"too many failed sign-ins for {name} from this address; try again in 15 minutes")
    if anywhere >= MAX_FAILURES_ANYWHERE:
        raise TooManyAttempts(f"too many failed sign-ins for {name}; try again in 15 minutes")


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every unit, grouped by kind, for pickers and for showing unit ids by name."""
    return [(u.id, u.name) for u in session.scalars(select(Unit).order_by(Unit.kind, Unit.id))]


def extra_units(ui: Any) -> dict[str, str]:
    """The choices a unit picker offers besides the directory's units, id → name, from its UI schema's
    `ui:options.extraUnits`: where someone came from may be the district government itself, which is no unit of
    the directory (a picker that routes the case never names one: check_unit_values refuses it)."""
    options = ui.get("ui:options") if isinstance(ui, dict) and ui.get("ui:widget") == "unit" else None
    extra = options.get("extraUnits") if isinstance(options, dict) else None
    if not isinstance(extra, dict):
        return {}
    return {str(key): str(name) for key, name in extra.items() if isinstance(name, str)}


def check_unit_values(session: Session, pointers: list[str], data: Any) -> list[dict[str, str]]:
    """Form errors for the values of unit fields (`pointers`) that are not units of the directory: a task routed
    to an unknown unit would reach nobody's inbox. An empty value is left to the form's own rules."""
    given = {pointer: [v for v in values_at(data, pointer) if v not in (None, "")] for pointer in pointers}
    wanted = {v for values in given.values() for v in values if isinstance(v, str)}
    known = set(session.scalars(select(Unit.id).where(Unit.id.in_(wanted)))) if wanted else set()
    return [
        {
            "path": pointer.replace("/*", ""),
            "message": f"{value!r} is not a unit of the organisation directory",
            "kind": "unit",
        }
        for pointer, values in given.items()
        for value in values
        if not isinstance(value, str) or value not in known
    ]
