"""Argument types shared by the commands, with messages that say what is wrong."""

from __future__ import annotations

import argparse
from datetime import date

from app import clock


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write YYYY-MM-DD, e.g. 2026-11-21") from None


def past_date(text: str) -> date:
    """A settled day: before today in Beijing time (nothing has happened on a later one)."""
    day = iso_date(text)
    today = clock.local(clock.now()).date()
    if day >= today:
        raise argparse.ArgumentTypeError(
            f"{day} has not ended yet (Beijing time): give a day up to "
            f"{date.fromordinal(today.toordinal() - 1)}")
    return day


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value
