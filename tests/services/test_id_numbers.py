"""Citizen identity numbers (GB 11643-1999): the check character by ISO 7064 MOD 11-2, and what is wrong first."""

from __future__ import annotations

import pytest

from workflow_host.services.id_numbers import check_digit, id_number_problem


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])  # the standard's own examples
def test_the_examples_of_the_standard_are_valid(number: str) -> None:
    assert check_digit(number[:17]) == number[17]
    assert id_number_problem(number) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("11010519491231002", "length"),  # one digit short
        ("1101051949123100200", "length"),
        ("", "length"),
        ("11010519491231002x", "characters"),  # the check character is a capital X
        ("110105 19491231002X", "characters"),
        ("１１０１０５19491231002X", "characters"),  # full-width digits
        ("1101051949123X002X", "characters"),  # X only at the end
        ("110105194902300021", "birth_date"),  # 30 February 1949
        ("110105194912310021", "check_digit"),
        ("11010519491231012X", "check_digit"),  # one digit mistyped
    ],
)
def test_what_is_wrong_with_a_number_is_named(typed: str, problem: str) -> None:
    assert id_number_problem(typed) == problem
