"""Speaker labels as names of people: one person goes by several labels.

Hearings label one person several ways ("Right Hon. Justin Trudeau (Prime Minister)" on first mention,
"Right Hon. Justin Trudeau" after), so labels are compared by the name before any brackets.
"""

from __future__ import annotations


def base_name(label: str) -> str:
    return label.split("(", 1)[0].strip().lower()


def same_person(a: str, b: str) -> bool:
    """"Hon. Sam Roe (Minister of Fisheries)" and "Hon. Sam Roe" are one person."""
    return base_name(a) == base_name(b)
