"""The TIMEX3 value grammar accepted by the benchmark (a documented subset of TimeML)."""

from __future__ import annotations

import re

_Y = r"(?:\d{4}|\d{3}X|\d{2}XX|XXXX)"
_MM = r"(?:0[1-9]|1[0-2]|XX)"
_DD = r"(?:0[1-9]|[12]\d|3[01]|XX)"
_DATE = rf"{_Y}(?:-{_MM}(?:-{_DD})?|-W(?:0[1-9]|[1-4]\d|5[0-3]|XX)(?:-WE)?|-Q[1-4]|-H[12]|-(?:SP|SU|FA|WI))?"
_DECADE = r"\d{3}|\d{2}"  # "199" = the 1990s, "19" = the 20th century
_TIME = r"T(?:(?:[01]\d|2[0-3])(?::[0-5]\d(?::[0-5]\d)?)?|MO|MI|AF|EV|NI|DT)"
_DURATION = r"P(?:(?:\d+(?:\.\d+)?|X)(?:Y|M|W|D|DE|CE|L|Q|H)|T(?:\d+(?:\.\d+)?|X)(?:H|M|S))+"

VALUE_RE = re.compile(
    rf"(?:{_DATE}(?:{_TIME})?|{_TIME}|{_DECADE}|{_DURATION}|PAST_REF|PRESENT_REF|FUTURE_REF)"
)
_BY_TYPE = {
    "DATE": re.compile(rf"(?:{_DATE}|{_DECADE}|PAST_REF|PRESENT_REF|FUTURE_REF)"),
    "TIME": re.compile(rf"(?:{_DATE}{_TIME}|{_TIME}|PAST_REF|PRESENT_REF|FUTURE_REF)"),
    "DURATION": re.compile(_DURATION),
    "SET": re.compile(rf"(?:{_DURATION}|{_DATE}(?:{_TIME})?|{_TIME})"),
}


_CALENDAR = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![\d])")
_DCT = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d))?")


def _real_date(year: str, month: str, day: str) -> bool:
    import datetime

    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:  # 2025-02-31, month 13, ...
        return False
    return True


def is_valid_value(value: str, timex_type: str | None = None) -> bool:
    """True when value is a well-formed TIMEX3 value (for the given type, if any) whose
    calendar date, when it names one, exists."""
    pattern = _BY_TYPE.get(timex_type, VALUE_RE) if timex_type else VALUE_RE
    if pattern.fullmatch(value) is None:
        return False
    m = _CALENDAR.match(value)
    return m is None or _real_date(*m.groups())


def is_valid_dct(value: object) -> bool:
    """A document creation time: a real calendar date YYYY-MM-DD, optionally THH:MM."""
    m = _DCT.fullmatch(value) if isinstance(value, str) else None
    return m is not None and _real_date(*m.groups()[:3])


DCT_FORM = "a real date YYYY-MM-DD (optionally THH:MM)"
