"""The content-hash memo behind the version caches: kept once, the oldest dropped when full, errors keep nothing."""

from __future__ import annotations

import pytest

from workflow_host.services.memo import Memo


def test_a_value_is_made_once_and_the_oldest_goes_when_full() -> None:
    memo: Memo[str, str] = Memo(2)
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert [memo.get_or_make(k, lambda k=k: make(k)) for k in ("a", "a", "b", "c", "b", "a")] == list("AABCBA")
    assert made == ["a", "b", "c", "a"]  # "a" was dropped for "c", so it is made again


def test_a_failure_keeps_nothing() -> None:
    memo: Memo[str, str] = Memo(2)

    def fail() -> str:
        raise LookupError("not there")

    with pytest.raises(LookupError):
        memo.get_or_make("a", fail)
    assert memo.get_or_make("a", lambda: "found") == "found"
