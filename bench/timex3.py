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


def is_valid_value(value: str, timex_type: str | None = None) -> bool:
    """True when value is a well-formed TIMEX3 value (for the given type, if any)."""
    pattern = _BY_TYPE.get(timex_type, VALUE_RE) if timex_type else VALUE_RE
    return pattern.fullmatch(value) is not None
