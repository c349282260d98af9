"""Chinese is the first language: every message the pages can show has a Chinese translation with the same
placeholders, and the pages come out in Chinese unless English is chosen."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "workflow_host"
CATALOG = PACKAGE / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", text))


def test_every_message_of_the_pages_has_a_chinese_translation() -> None:
    extracted = {
        message[0] if isinstance(message, tuple) else message
        for _file, _line, message, _comments, _context in extract_from_dir(
            PACKAGE, METHODS, keywords=KEYWORDS, options_map=OPTIONS
        )
    }
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    missing = []
    for msgid in sorted(extracted):
        entry = catalog.get(msgid)
        text = entry.string if entry else None
        first = text[0] if isinstance(text, tuple) else text
        if not first or (entry is not None and entry.fuzzy):
            missing.append(msgid)
        elif _placeholders(msgid) != _placeholders(first):
            missing.append(f"{msgid} (placeholders differ)")
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)


def test_pages_speak_chinese_first_and_english_on_request(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "用户名" in page
    assert "Username" not in page
    client.get("/lang/en")
    page = client.get("/login").get_data(as_text=True)
    assert "Username" in page
    english = client.get("/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Username" in english  # the chosen language wins over the browser's


def test_a_browser_set_to_english_still_gets_chinese_pages_until_the_user_switches(client: FlaskClient) -> None:
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    page = client.get("/login", headers=english_browser).get_data(as_text=True)
    assert "用户名" in page
    assert "Username" not in page
    client.get("/lang/en")
    assert "Username" in client.get("/login", headers=english_browser).get_data(as_text=True)
