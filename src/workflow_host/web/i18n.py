"""Chinese first, English on request: Flask-Babel, Beijing time, and the template helpers for dates and
countdowns to deadlines (calendar days or working days, as the deadline counts them)."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, get_locale, lazy_gettext
from flask_babel import gettext as _gettext
from flask_babel import ngettext as _ngettext

from ..engine import LOCAL_TZ, now
from .data_words import DECISIONS

__all__ = [
    "DATA_TITLES",
    "INSTANCE_LEVELS",
    "LANES",
    "LANGUAGES",
    "READINGS",
    "STATUSES",
    "_",
    "code_word",
    "countdown",
    "init_i18n",
    "local_date",
    "local_datetime",
    "ngettext",
]

LANGUAGES = {"zh": "中文", "en": "English"}
DEFAULT = "zh"
CASE_NUMBERS = {  # a case's number at each instance (instance_level), once it has several
    "first": lazy_gettext("First-instance case number"),
    "second": lazy_gettext("Second-instance case number"),
    "retrial": lazy_gettext("Retrial case number"),
}
STATUSES = {  # a case's status (GET /instances/{id})
    "running": lazy_gettext("In progress"),
    "completed": lazy_gettext("Closed"),
    "error": lazy_gettext("Stopped by an error"),
    "suspended": lazy_gettext("Suspended"),
    "terminated": lazy_gettext("Terminated"),
}
LANES = {  # the lanes of ../shared/design/process-map.md, for tasks not routed to one unit
    "gov_office": lazy_gettext("District government office"),
    "office_deputy_director": lazy_gettext("Deputy director of the government office"),
    "office_director": lazy_gettext("Director of the government office"),
    "vice_head_in_charge": lazy_gettext("Vice district head in charge"),
    "executive_vice_head": lazy_gettext("Executive vice district head"),
    "district_head": lazy_gettext("District head"),
    "justice_bureau": lazy_gettext("District justice bureau"),
    "justice_bureau_head": lazy_gettext("Head of the justice bureau"),
    "handling_unit": lazy_gettext("Handling unit"),
}
INSTANCE_LEVELS = {  # instance_level's values
    "first": lazy_gettext("First instance"),
    "second": lazy_gettext("Second instance"),
    "retrial": lazy_gettext("Retrial"),
}
ART13_ITEMS = {  # appearance_reasons' numbers: the items of Art. 13 as the measures word them
    1: lazy_gettext("(1) The government lost at first instance and the second instance holds a hearing"),
    2: lazy_gettext(
        "(2) The head did not appear at first instance but considers appearing at second instance necessary"
    ),
    3: lazy_gettext("(3) The court suggests in writing that the head or the head in charge appear"),
    4: lazy_gettext("(4) Major public interests, high public attention, or a possible mass incident"),
    5: lazy_gettext("(5) A public-interest suit brought by the procuratorate"),
    6: lazy_gettext("(6) A large amount of administrative compensation"),
    7: lazy_gettext(
        "(7) A large social impact, a complex case, or a possible major effect on the government's enforcement work"
    ),
    8: lazy_gettext("(8) The head's appearance would better help resolve the dispute"),
}
DATA_TITLES = {  # names of the data dictionary (process-map.md) and of the sign-off that no form titles
    "instance_level": lazy_gettext("Instance"),
    "handling_units": lazy_gettext("Handling units"),
    "justice_bureau_reconsideration_part": lazy_gettext("Justice bureau handles the reconsideration part"),
    "lost_first_instance": lazy_gettext("Lost at first instance"),
    "head_appeared_first_instance": lazy_gettext("Head appeared at first instance"),
    "head_must_appear": lazy_gettext("The head must appear in court (Art. 13)"),
    "appearance_reasons": lazy_gettext("Art. 13 items that apply"),
    "signer_role": lazy_gettext("Next to sign"),
    "signoff_chain": lazy_gettext("Sign-off order"),
    "appeal_decider_role": lazy_gettext("Decides on the appeal"),
    "retrial_decider_role": lazy_gettext("Decides on the retrial"),
    "lost": lazy_gettext("Lost"),
    "appeal_filed": lazy_gettext("Appeal filed"),
    # the records the diagrams keep of what the forms entered
    "signoff_records": lazy_gettext("Sign-off records"),
    "review_history": lazy_gettext("Formal review of the defence materials"),
    "defence_materials": lazy_gettext("Defence materials"),
    "appearance_plan": lazy_gettext("Court appearance plan"),
    "hearing_preparation": lazy_gettext("Hearing preparation"),
    "hearing_record": lazy_gettext("Hearing record"),
    "instance_history": lazy_gettext("Instances heard"),
    "loss_report": lazy_gettext("Loss analysis report"),
    "compliance_record": lazy_gettext("Performance of the decision"),
    "archive_record": lazy_gettext("Archiving"),
}
SOURCES = Path(__file__).resolve().parent.parent / "translations"


EVENTS = {  # audit event types as the history page names them
    "instance_created": lazy_gettext("Case registered"),
    "task_completed": lazy_gettext("Step completed"),
    "task_claimed": lazy_gettext("Task claimed"),
    "task_unclaimed": lazy_gettext("Task given back"),
    "task_assigned": lazy_gettext("Task assigned"),
    "timer_fired": lazy_gettext("Timer fired"),
    "deadline_computed": lazy_gettext("Deadline computed"),
    "deadlines_recomputed": lazy_gettext("Deadlines recomputed"),
    "deadline_met": lazy_gettext("Deadline met"),
    "deadline_missed": lazy_gettext("Deadline missed"),
    "deadline_reminded": lazy_gettext("Reminder sent"),
    "deadline_escalated": lazy_gettext("Escalated"),
    "instance_completed": lazy_gettext("Case closed"),
    "instance_errored": lazy_gettext("Stopped by an error"),
    "case_viewed": lazy_gettext("Read by an auditor"),
    "document_generated": lazy_gettext("Document generated"),
    "document_uploaded": lazy_gettext("Sealed copy uploaded"),
    "instance_terminated": lazy_gettext("Case terminated"),
}
READINGS = {  # what an auditor read (a case_viewed event's `what`, services.history)
    "case": lazy_gettext("Read the case page"),
    "events": lazy_gettext("Read the case's events (API)"),
    "history": lazy_gettext("Read the case history"),
    "export csv": lazy_gettext("Exported the case history (CSV)"),
    "export json": lazy_gettext("Exported the case history (JSON)"),
}


def _(text: str, **variables: Any) -> str:
    """The message in the user's language (English msgids; the Chinese catalogue is complete)."""
    return str(_gettext(text, **variables))


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    return str(_ngettext(singular, plural, num, **variables))


def _select_locale() -> str:
    """Pages speak Chinese unless the user chose English with the switch (kept across signing in and out): the
    product is Chinese first, and a browser set to English is no choice of the user's. The JSON API follows the
    caller's Accept-Language (its clients have no switch), Chinese when it names neither language."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return str(chosen)
    if request.blueprint == "api":
        return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT
    return DEFAULT


def compile_catalogs(target: Path) -> None:
    """Compile each translations/<lang>/LC_MESSAGES/messages.po into `target` when its .mo is missing or older
    (written to a temporary file and renamed, so parallel processes never see half a file)."""
    for po in SOURCES.glob("*/LC_MESSAGES/messages.po"):
        mo = target / po.relative_to(SOURCES).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)


def init_i18n(app: Flask) -> None:
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(compiled)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    Babel(app, locale_selector=_select_locale)
    app.jinja_env.filters["local_dt"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["status_label"] = lambda status: str(STATUSES.get(status, status))
    app.jinja_env.globals["lane_label"] = lambda lane: str(LANES.get(lane, lane or ""))
    app.jinja_env.globals["number_label"] = number_label
    app.jinja_env.globals["event_label"] = lambda kind: str(EVENTS.get(kind, kind))
    app.jinja_env.globals["current_lang"] = lambda: str(get_locale() or DEFAULT)


def local_datetime(value: datetime | None) -> str:
    """`2026-10-08 23:59` in Beijing time."""
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def local_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return value.isoformat()


def countdown(due_at: datetime | None, kind: str | None, calendar: Any) -> tuple[str, str]:
    """(text, state) for a due instant: `overdue`, `today`, `soon` (3 days or less) or `later`. A deadline that
    counts working days is shown in working days (rest days and holidays skipped)."""
    if due_at is None:
        return "", "none"
    at = now()
    today, due_day = at.astimezone(LOCAL_TZ).date(), due_at.astimezone(LOCAL_TZ).date()
    if due_at < at:
        days = (today - due_day).days
        return (ngettext("overdue by %(num)s day", "overdue by %(num)s days", days) if days else _("overdue")), (
            "overdue"
        )
    if due_day == today:
        return _("due today"), "today"
    if kind == "working_days" and calendar is not None:
        left = _working_days_between(calendar, today, due_day)
        if left is not None:
            text = ngettext("%(num)s working day left", "%(num)s working days left", left)
            return text, "soon" if left <= 3 else "later"
    days = (due_day - today).days
    return ngettext("%(num)s day left", "%(num)s days left", days), "soon" if days <= 3 else "later"


def _working_days_between(calendar: Any, start: date, end: date) -> int | None:
    """Working days after `start` up to and including `end`; None when the calendar does not know a year."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if not calendar.knows(day.year):
            return None
        if calendar.is_working_day(day):
            count += 1
    return count


def code_word(key: str, value: str | int) -> str | None:
    """A code the diagrams store, in words: a role (a lane of process-map.md), under `instance_level` an instance,
    under `appearance_reasons` an Art. 13 item, under a sign-off's `decision` agreed or returned; None for other
    values."""
    name = key.rsplit(".", 1)[-1]
    if isinstance(value, int):
        return str(ART13_ITEMS[value]) if name == "appearance_reasons" and value in ART13_ITEMS else None
    if name == "instance_level" and value in INSTANCE_LEVELS:
        return str(INSTANCE_LEVELS[value])
    if name == "decision" and value in DECISIONS:
        return str(DECISIONS[value])
    return str(LANES[value]) if value in LANES else None


def number_label(level: str) -> str:
    """How a case's number at `level` (first, second, retrial) is labelled."""
    return str(CASE_NUMBERS.get(level, level))
