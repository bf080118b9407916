"""Random DATE / TIME expressions in many surface formats (span text only).

Values are not needed: the trained model finds spans and
``baselines.timex_normalize`` computes TIMEX3 values.  Span extents follow
docs/guidelines.md: prepositions and a leading "the" are outside, modifiers that
change the value ("March last year") are inside, "early"/"late" are outside.
Each generator returns segments ``[(text, label or None), ...]``.
"""

from __future__ import annotations

import random

Segments = list[tuple[str, "str | None"]]

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MONTH_ABBR = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.",
              "Oct.", "Nov.", "Dec.")
MONTH_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty")
ORDINALS = ("first", "second", "third", "fourth")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _year(rng: random.Random) -> str:
    return str(rng.randint(1975, 2032))


def _count(rng: random.Random) -> str:
    return rng.choice(NUMBER_WORDS) if rng.random() < 0.5 else str(rng.randint(2, 120))


def calendar_date(rng: random.Random) -> str:
    """An explicit calendar date in one of many news formats."""
    m = rng.randrange(12)
    d = rng.randint(1, 28)
    y = _year(rng)
    forms = (
        f"{MONTHS[m]} {d}", f"{MONTHS[m]} {d}, {y}", f"{d} {MONTHS[m]} {y}", f"{d} {MONTHS[m]}",
        f"{MONTH_ABBR[m]} {d}", f"{d} {MONTH_ABBR[m]} {y}", f"{MONTHS[m]} {_ordinal(d)}",
        f"{_ordinal(d)} of {MONTHS[m]}", f"{y}-{m + 1:02d}-{d:02d}", f"{d:02d}/{m + 1:02d}/{y}",
        f"{MONTHS[m]} {y}", f"{d} {MONTH_SHORT[m]} {y}", f"{MONTH_ABBR[m]} {d}, {y}",
        f"{d}.{m + 1:02d}.{y}", f"{MONTHS[m]} {d} last year", f"{MONTH_ABBR[m]} {d} this year",
        f"{WEEKDAYS[rng.randrange(7)]}, {MONTHS[m]} {d}",
    )
    return rng.choice(forms)


def relative_date(rng: random.Random) -> str:
    """Deictic and vague dates ("last year", "Tuesday", "three weeks ago")."""
    wd = rng.choice(WEEKDAYS)
    mo = rng.choice(MONTHS)
    n = _count(rng)
    forms = (
        wd, wd, wd, f"last {wd}", f"this {wd}", f"next {wd}", "last year", "this year",
        "next year", "last month", "this month", "next month", "last week", "this week",
        "next week", "yesterday", "today", "tomorrow", "previous day", "day before",
        f"{n} years ago", f"{n} days ago", f"{n} weeks ago", "a week ago", "a few days ago",
        "a year ago", "weekend", "this weekend", "last weekend", mo, f"{mo} last year",
        f"{mo} next year", f"{mo} this year", f"last {mo}", f"next {mo}", f"mid-{mo}", _year(rng), _year(rng),
        f"{rng.choice(ORDINALS)} quarter", f"{rng.choice(ORDINALS)} half of {_year(rng)}",
        f"{rng.choice(('spring', 'summer', 'autumn', 'winter'))} of {_year(rng)}",
        f"{rng.choice(('1960', '1970', '1980', '1990'))}s", "the 2000s", "now",
        f"{rng.choice(('past', 'last', 'coming', 'next'))} {n} months",
        "recent years", "recent months", "recent weeks", "same day", "following day",
        f"{rng.choice(ORDINALS)} week of {mo}", f"end of {mo}", f"end of {_year(rng)}",
    )
    return rng.choice(forms).removeprefix("the ")


def duration(rng: random.Random) -> str:
    """OntoNotes files durations under DATE ("80 years", "months", "a day")."""
    n = _count(rng)
    unit = rng.choice(("years", "months", "weeks", "days", "decades"))
    forms = (
        f"{n} {unit}", f"{n} {unit}", "decades", "months", "years", "weeks", "a day", "a week",
        "a month", "a year", "two days", f"{n}-year", f"more than {n} {unit}", "a decade",
        "several months", "several years", "a few weeks", f"{n} {unit}",
    )
    return rng.choice(forms)


def clock_time(rng: random.Random) -> str:
    h = rng.randint(1, 12)
    hh = rng.randint(0, 23)
    mm = rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50, 55, rng.randint(0, 59)))
    forms = (
        f"{hh:02d}:{mm:02d}", f"{h}:{mm:02d} a.m.", f"{h}:{mm:02d} p.m.", f"{h} a.m.", f"{h} p.m.",
        f"{h}pm", f"{h}am", f"{hh:02d}:{mm:02d} GMT", f"{hh:02d}:{mm:02d} local time",
        f"{h} o'clock", "midnight", "noon", f"{hh:02d}{mm:02d} GMT", f"{h}:{mm:02d}pm",
    )
    return rng.choice(forms)


def part_of_day(rng: random.Random) -> str:
    wd = rng.choice(WEEKDAYS)
    forms = (
        "overnight", "this morning", "tonight", "last night", "this afternoon", "this evening",
        f"{wd} morning", f"{wd} evening", f"{wd} night", f"{wd} afternoon", "morning", "evening",
        "early hours", f"early hours of {wd}", f"night of {wd}",
        f"evening of {rng.choice(MONTHS)} {rng.randint(1, 28)}",
    )
    return rng.choice(forms)


def date(rng: random.Random) -> Segments:
    r = rng.random()
    text = calendar_date(rng) if r < 0.45 else relative_date(rng) if r < 0.85 else duration(rng)
    return [(text, "DATE")]


def time(rng: random.Random) -> Segments:
    r = rng.random()
    if r < 0.5:
        return [(clock_time(rng), "TIME")]
    if r < 0.85:
        return [(part_of_day(rng), "TIME")]
    # a time stamp printed with its date, one TIME span ("3 May 2021, 14:05")
    return [(f"{calendar_date(rng)}, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}", "TIME")]


def when(rng: random.Random) -> Segments:
    """A temporal adverbial: preposition (outside) + expression, or both a time and a date."""
    r = rng.random()
    wd = rng.choice(WEEKDAYS)
    if r < 0.2:
        return [("on ", None), (wd, "DATE")]
    if r < 0.3:
        return [("early on ", None), (wd, "DATE")]
    if r < 0.45:
        return [(rng.choice(("on ", "")), None), (calendar_date(rng), "DATE")]
    if r < 0.55:
        return [("in ", None), (rng.choice(MONTHS + (_year(rng),)), "DATE")]
    if r < 0.65:
        if rng.random() < 0.3:
            return [("overnight", "TIME"), (" on ", None), (calendar_date(rng), "DATE")]
        return [("at ", None), (clock_time(rng), "TIME"), (" on ", None), (wd, "DATE")]
    if r < 0.7:
        return [(part_of_day(rng), "TIME"), (" on ", None), (calendar_date(rng), "DATE")]
    if r < 0.8:
        return [(rng.choice(("", "earlier ", "later ")), None), (relative_date(rng), "DATE")]
    if r < 0.9:
        if rng.random() < 0.3:
            unit = rng.choice(("years", "months", "weeks", "days", "decades"))
            return [("in the ", None), (f"{rng.choice(('past', 'last'))} {_count(rng)} {unit}", "DATE")]
        return [(rng.choice(("for ", "over ", "within ", "after ")), None), (duration(rng), "DATE")]
    return [(rng.choice(("", "late ", "early ")), None), (part_of_day(rng), "TIME")]
