"""What a file's name becomes when it is stored and shown: the last part of the path, nothing that could pose as
another name."""

from __future__ import annotations

import pytest

from workflow_host.services.attachments import clean_name


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../应诉通知书.pdf", "应诉通知书.pdf"),
        ("C:\\scans\\答辩状.docx", "答辩状.docx"),
        ("证据\u202efdp.exe", "证据_fdp.exe"),  # right-to-left override: would show as "证据exe.pdf"
        ("a\u2066b\u2069.pdf", "a_b_.pdf"),  # isolates
        ("\u200f.pdf", "_.pdf"),
        ("line\nbreak.txt", "line_break.txt"),
        ("  .. ", "file"),
    ],
)
def test_a_file_name_keeps_its_last_part_and_loses_what_could_disguise_it(given: str, stored: str) -> None:
    assert clean_name(given) == stored
