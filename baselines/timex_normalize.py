"""Rule-based TIMEX3 detection and normalisation against a document creation time.

``find_timexes`` scans a text with a fixed list of patterns, normalises every match
and keeps the longest non-overlapping ones.  ``normalize`` runs the same patterns on
one given span, so a model that only detects spans can reuse the value rules.

Resolution follows news usage (see docs/guidelines.md, section 2): a bare weekday
is the most recent such day on or before the DCT, a bare month is the most recent
such month, unless the words just before the expression mark the future ("will",
"next", ...).  "the previous day" and "during the day" are resolved against the last
full date named earlier in the same sentence, else the DCT.  Without a DCT, relative
values keep their unknown parts as X ("XXXX-08", "XXXX-XX-XX").  Every value fits
the benchmark grammar in ``bench.timex3``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

_MONTH_NUM = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_FULL_MONTHS = frozenset(n.capitalize() for n in list(_MONTH_NUM)[:12])
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
         "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_POD = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI",
        "tonight": "NI", "overnight": "NI"}
_SEASON = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
# unit word -> (TIMEX3 code, is a time-of-day unit written after "T")
_UNIT = {"second": ("S", True), "minute": ("M", True), "hour": ("H", True),
         "day": ("D", False), "week": ("W", False), "month": ("M", False),
         "year": ("Y", False), "decade": ("DE", False), "century": ("CE", False)}
# A month-day without a year is put in the DCT year unless that lands more than this
# many days after the DCT (past-tense news rarely names far-future days without a year).
FUTURE_TOLERANCE_DAYS = 31


def _ci(alternatives: str) -> str:
    """'last|this' -> '[Ll]ast|[Tt]his': lower case or sentence-initial capital only."""
    return "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in alternatives.split("|"))


_B = r"(?<![\w-])"  # word start (a hyphen before means we are inside a compound)
_E = r"(?![\w-])"  # word end
MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|"
         r"November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![a-z])")
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\w)"
YEAR = r"(?:1[89]|20)\d{2}(?!\d)"
WEEKDAY = "|".join(_WEEKDAYS)
NUMWORD = (
    r"(?i:(?:" + "|".join(_TENS) + r")(?:[- ](?:" + "|".join(_SMALL[1:10]) + r"))?|"
    + "|".join(sorted(_SMALL[1:], key=len, reverse=True)) + r"|(?:a|one)\s+hundred|a\s+dozen)"
)
# A count before a unit; vague ones ("several", "a few") give an X in the value.
QUANT = (r"(?:\d+(?:\.\d+)?|" + NUMWORD + r"|[Aa]n?|[Ss]everal|[Aa]\s+few|[Ff]ew|[Mm]any|"
         r"[Aa]\s+couple\s+of|[Cc]ouple\s+of|[Ss]ome)")
UNIT = r"(?:second|minute|hour|day|week|month|year|decade)s?|century|centuries"
_DATE_INNER = (rf"(?:{WEEKDAY}|{MONTH}\s+{DAY}(?:,?\s+{YEAR})?|{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR})?)")
_SENT_END = re.compile(r"(?:[.!?][\"'”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n)")
_FUTURE = re.compile(r"\b(?:will|shall|going to|due to|scheduled|upcoming|planned|plans? to|"
                     r"expected to|next)\b|['’]ll\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Ctx:
    dct: date | None
    dct_text: str | None
    before: str  # text just before the span

    def sentence(self) -> str:
        """The part of ``before`` inside the span's own sentence."""
        cut = 0
        for m in _SENT_END.finditer(self.before):
            cut = m.end()
        return self.before[cut:]

    def future(self) -> bool:
        return bool(_FUTURE.search(self.sentence()[-60:]))

    def anchor(self) -> date | None:
        """The last full date named earlier in the sentence, else the DCT."""
        for _s, _e, _t, value in reversed(find_timexes(self.sentence(), self.dct_text)):
            if re.match(r"\d{4}-\d{2}-\d{2}", value):
                return date.fromisoformat(value[:10])
        return self.dct


def _parse_dct(dct: str | None) -> date | None:
    if not dct:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", dct)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def _number(word: str) -> int | float | None:
    """'12' -> 12, 'twenty-five' -> 25, 'a' -> 1; vague quantities -> None (the X)."""
    w = re.sub(r"\s+", " ", word.lower())
    if re.fullmatch(r"\d+", w):
        return int(w)
    if re.fullmatch(r"\d+\.\d+", w):
        return float(w)
    if w in ("a", "an", "one", "a hundred", "one hundred"):
        return 100 if "hundred" in w else 1
    if w in _SMALL:
        return _SMALL.index(w)
    if w == "a dozen":
        return 12
    parts = re.split(r"[- ]", w)
    if parts[0] in _TENS:
        return _TENS[parts[0]] + (_SMALL.index(parts[1]) if len(parts) > 1 else 0)
    return None


def _unit(word: str) -> str:
    w = word.lower()
    return "century" if w.startswith("centur") else w.rstrip("s")


def _duration(n: int | float | None, unit: str) -> str:
    code, is_time = _UNIT[unit]
    amount = "X" if n is None else (str(n) if isinstance(n, int) or not n.is_integer() else str(int(n)))
    return f"P{'T' if is_time else ''}{amount}{code}"


def _ymd(d: date | None) -> str:
    return d.isoformat() if d else "XXXX-XX-XX"


def _week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def _shift_month(d: date, delta: int) -> tuple[int, int]:
    k = d.year * 12 + d.month - 1 + delta
    return k // 12, k % 12 + 1


def _rel(word: str | None) -> int:
    """Offset of a relative modifier: last/previous -1, this 0, next/coming +1."""
    w = (word or "this").lower()
    return -1 if w in ("last", "previous", "past") else 1 if w in ("next", "coming", "following") else 0


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_day(ctx: _Ctx, month: int, day: int) -> str | None:
    if ctx.dct is None:
        return f"XXXX-{month:02d}-{day:02d}" if _safe_date(2000, month, day) else None
    here = _safe_date(ctx.dct.year, month, day)
    if here is None:
        return None
    if ctx.future():
        return (here if here >= ctx.dct else _safe_date(ctx.dct.year + 1, month, day) or here).isoformat()
    if here > ctx.dct + timedelta(days=FUTURE_TOLERANCE_DAYS):
        return (_safe_date(ctx.dct.year - 1, month, day) or here).isoformat()
    return here.isoformat()


def _month_only(ctx: _Ctx, month: int) -> str:
    if ctx.dct is None:
        return f"XXXX-{month:02d}"
    year = ctx.dct.year
    if ctx.future():
        year += month < ctx.dct.month
    else:
        year -= month > ctx.dct.month
    return f"{year}-{month:02d}"


def _weekday(ctx: _Ctx, wd: int, rel: str | None) -> str:
    if ctx.dct is None:
        return "XXXX-XX-XX"  # the benchmark grammar has no weekday-of-unknown-week form
    r = (rel or "").lower()
    if r in ("next", "coming") or (not r and ctx.future()):
        ahead = (wd - ctx.dct.weekday()) % 7 or (7 if r else 0)
        return (ctx.dct + timedelta(days=ahead)).isoformat()
    back = (ctx.dct.weekday() - wd) % 7
    if r in ("last", "past") and back == 0:
        back = 7
    return (ctx.dct - timedelta(days=back)).isoformat()


def _weekend(ctx: _Ctx, rel: str | None) -> str:
    if ctx.dct is None:
        return "XXXX-WXX-WE"
    r = (rel or "").lower()
    wd = ctx.dct.weekday()
    if r in ("next", "coming") or (r == "this" and wd < 5) or (not r and ctx.future()):
        sat = ctx.dct + timedelta(days=(5 - wd) % 7 or (7 if r == "next" and wd == 5 else 0))
    elif wd >= 5 and r not in ("last", "past"):
        sat = ctx.dct - timedelta(days=wd - 5)
    else:
        sat = ctx.dct - timedelta(days=(wd - 5) % 7 or 7)
    return _week(sat) + "-WE"


def _year_of(ctx: _Ctx, y: str | None, ry: str | None) -> str | None:
    """Explicit year, else a relative one ('last year'), else None."""
    if y:
        return y
    if ry:
        return str(ctx.dct.year + _rel(ry)) if ctx.dct else "XXXX"
    return None


def _clock(h: str, m: str, ap: str | None) -> str | None:
    hour, minute = int(h), int(m)
    if ap:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if ap.lower().startswith("p") else 0)
    return f"{hour:02d}:{minute:02d}"


# --- handlers: (match, ctx) -> (type, value) or None -------------------------------------

def _h_iso(m: re.Match, ctx: _Ctx):
    if not _safe_date(int(m["y"]), int(m["mo"]), int(m["d"])):
        return None
    day = f"{m['y']}-{m['mo']}-{m['d']}"
    return ("TIME", f"{day}T{m['H']}:{m['M']}") if m["H"] else ("DATE", day)


def _h_date(m: re.Match, ctx: _Ctx):
    month = _MONTH_NUM[(m["m1"] or m["m2"]).rstrip(".").lower()]
    day = int(re.match(r"\d+", m["d1"] or m["d2"])[0])
    year = _year_of(ctx, m["y"], m["ry"])
    if year is None:
        value = _month_day(ctx, month, day)
    elif year == "XXXX" or _safe_date(int(year), month, day):
        value = f"{year}-{month:02d}-{day:02d}"
    else:
        value = None
    if value is None:
        return None
    if m["H"]:
        clock = _clock(m["H"], m["M"], m["ap"])
        return ("TIME", f"{value}T{clock}") if clock else None
    return "DATE", value


def _h_month(m: re.Match, ctx: _Ctx):
    name = m["m"].rstrip(".")
    month = _MONTH_NUM[name.lower()]
    year = _year_of(ctx, m["y"], m["ry"])
    if year is not None:
        return "DATE", f"{year}-{month:02d}"
    # A bare month must be a full name; "May" alone is too often the verb.
    if name not in _FULL_MONTHS or name == "May":
        return None
    return "DATE", _month_only(ctx, month)


def _h_weekday(m: re.Match, ctx: _Ctx):
    value = _weekday(ctx, _WEEKDAYS.index(m["wd"]), m["rel"])
    if m["pod"]:
        return "TIME", f"{value}T{_POD[m['pod'].lower()]}"
    return "DATE", value


def _h_pod_of(m: re.Match, ctx: _Ctx):
    inner = normalize(m["inner"], ctx.dct_text, ctx.before)
    if inner is None or not re.fullmatch(r"[\dX]{4}-[\dX]{2}-[\dX]{2}", inner[1]):
        return None
    return "TIME", f"{inner[1]}T{_POD[m['pod'].lower()]}"


def _h_pod_rel(m: re.Match, ctx: _Ctx):
    if m["pod2"]:  # "tonight", "overnight": the DCT night (re-anchored later if a date follows)
        return "TIME", f"{_ymd(ctx.dct)}T{_POD[m['pod2'].lower()]}"
    word = (m["rel"] or "").lower()
    pod = m["pod"].lower()
    shift = {"yesterday": -1, "tomorrow": 1, "last": -1}.get(word, 0)
    if word == "last" and pod != "night":
        return None
    day = ctx.dct + timedelta(days=shift) if ctx.dct else None
    return "TIME", f"{_ymd(day)}T{_POD[pod]}"


def _h_rel_day(m: re.Match, ctx: _Ctx):
    w = m[0].lower().split()
    if w[0] in ("today", "yesterday", "tomorrow"):
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[w[0]]
        base = ctx.dct
    else:
        shift = {"previous": -1, "next": 1, "following": 1, "same": 0, "day": 0}[w[0]]
        base = ctx.anchor()
    return "DATE", _ymd(base + timedelta(days=shift) if base else None)


def _h_rel_unit(m: re.Match, ctx: _Ctx):
    rel, unit = m["rel"].lower(), m["unit"].lower()
    if unit == "weekend":
        return "DATE", _weekend(ctx, rel)
    if rel == "past":  # "the past week" is a stretch of time, not a calendar week
        return ("DURATION", _duration(1, unit)) if unit in ("year", "month", "week") else None
    k, d = _rel(rel), ctx.dct
    if d is None:
        return "DATE", {"year": "XXXX", "month": "XXXX-XX", "week": "XXXX-WXX",
                        "quarter": "XXXX"}.get(unit, "XXXX-" + _SEASON.get(unit, "XX"))
    if unit == "year":
        return "DATE", str(d.year + k)
    if unit == "month":
        y, mo = _shift_month(d, k)
        return "DATE", f"{y}-{mo:02d}"
    if unit == "week":
        return "DATE", _week(d + timedelta(weeks=k))
    if unit == "quarter":
        y, mo = _shift_month(d, 3 * k)
        return "DATE", f"{y}-Q{(mo - 1) // 3 + 1}"
    # Seasons: "last summer" is the most recent summer that is over, "next summer" the
    # first one not yet begun (a season is named by the year it starts in).
    first_month = _SEASON_START[_SEASON[unit]]
    if k < 0:
        year = d.year if d.month >= first_month + 3 else d.year - 1
    elif k > 0:
        year = d.year if d.month < first_month else d.year + 1
    else:
        year = d.year
    return "DATE", f"{year}-{_SEASON[unit]}"


def _h_weekend(m: re.Match, ctx: _Ctx):
    return "DATE", _weekend(ctx, None)


def _h_quarter(m: re.Match, ctx: _Ctx):
    q = int(m["q"]) if m["q"] else _ORDINAL[m["ord"].lower()]
    if m["y"]:
        return "DATE", f"{m['y']}-Q{q}"
    if ctx.dct is None:
        return "DATE", f"XXXX-Q{q}"
    current = (ctx.dct.month - 1) // 3 + 1
    year = ctx.dct.year
    if ctx.future():
        year += q < current
    else:
        year -= q > current
    return "DATE", f"{year}-Q{q}"


def _h_half(m: re.Match, ctx: _Ctx):
    return "DATE", f"{m['y']}-H{_ORDINAL[m['ord'].lower()]}"


def _h_season(m: re.Match, ctx: _Ctx):
    return "DATE", f"{m['y']}-{_SEASON[m['s'].lower()]}"


def _h_year(m: re.Match, ctx: _Ctx):
    return "DATE", m["y"]


def _h_decade(m: re.Match, ctx: _Ctx):
    return "DATE", m["dec"]


def _h_clock(m: re.Match, ctx: _Ctx):
    clock = _clock(m["H"], m["M"] or "00", m["ap"])
    return ("TIME", f"{_ymd(ctx.dct)}T{clock}") if clock else None


def _h_duration(m: re.Match, ctx: _Ctx):
    n = _number(m["q"]) if m["q"] else None
    return "DURATION", _duration(n, _unit(m["unit"]))


def _h_ago(m: re.Match, ctx: _Ctx):
    n = _number(m["q"]) if m["q"] else None
    unit = _unit(m["unit"])
    d = ctx.dct
    if n is None or d is None or isinstance(n, float) or unit in ("second", "minute", "hour"):
        return "DATE", "PAST_REF"
    if unit == "day":
        return "DATE", (d - timedelta(days=n)).isoformat()
    if unit == "week":
        return "DATE", _week(d - timedelta(weeks=n))
    if unit == "month":
        y, mo = _shift_month(d, -n)
        return "DATE", f"{y}-{mo:02d}"
    if unit == "year":
        return "DATE", str(d.year - n)
    if unit == "decade":
        return "DATE", str(d.year - 10 * n)[:3]
    return "DATE", str(d.year - 100 * n)[:2]


def _h_set(m: re.Match, ctx: _Ctx):
    unit = m["unit"].lower().rstrip("s") if m["unit"] else None
    if m["adv"]:
        code = {"daily": "P1D", "nightly": "P1D", "weekly": "P1W", "monthly": "P1M",
                "annually": "P1Y", "yearly": "P1Y", "hourly": "PT1H"}[m["adv"].lower()]
        return "SET", code
    if unit.capitalize() in _WEEKDAYS:
        return "SET", "P1W"  # "every Monday": weekly (no weekday form in the benchmark grammar)
    if unit in _POD:
        return "SET", f"XXXX-XX-XXT{_POD[unit]}"
    if unit == "weekend":
        return "SET", "XXXX-WXX-WE"
    q = (m["q"] or "").lower()
    n = 2 if q == "other" else (_number(q) if q else 1)
    return "SET", _duration(n, unit)


def _h_ref(m: re.Match, ctx: _Ctx):
    w = m["w"].lower()
    if w == "recently":
        return "DATE", "PAST_REF"
    if w == "future":
        return "DATE", "FUTURE_REF"
    if w == "past":
        return "DATE", "PAST_REF"
    return "DATE", "PRESENT_REF"


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: Callable[[re.Match, _Ctx], tuple[str, str] | None]
    before: re.Pattern[str] | None = None  # must match at the end of the preceding text


def _rule(pattern: str, handler, before: str | None = None) -> _Rule:
    return _Rule(re.compile(pattern), handler, re.compile(before + r"\Z") if before else None)


_REL = _ci("last|this|next|previous|past|coming")
_RULES: tuple[_Rule, ...] = (
    _rule(_B + r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})(?:T(?P<H>\d{2}):(?P<M>\d{2}))?(?![\d:])", _h_iso),
    _rule(
        _B + rf"(?:(?P<d1>{DAY})\s+(?:of\s+)?(?P<m1>{MONTH})|(?P<m2>{MONTH})\s+(?P<d2>{DAY}))"
        rf"(?:,?\s+(?P<y>{YEAR})|\s+(?:of\s+)?(?P<ry>{_ci('last|this|next')})\s+year)?"
        r"(?:,?\s+(?:at\s+)?(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?:\s*(?P<ap>[ap]\.m\.|[ap]m))?(?![\d:]))?",
        _h_date,
    ),
    _rule(_B + rf"(?P<m>{MONTH})(?:(?:\s+of)?,?\s+(?P<y>{YEAR})|\s+(?:of\s+)?(?P<ry>{_ci('last|this|next')})\s+year)?",
          _h_month),
    _rule(_B + rf"(?:(?P<rel>{_ci('last|next|this|past|coming')})\s+)?(?P<wd>{WEEKDAY})"
          r"(?:\s+(?P<pod>morning|afternoon|evening|night))?" + _E, _h_weekday),
    _rule(_B + rf"(?P<pod>{_ci('morning|afternoon|evening|night')})\s+of\s+(?P<inner>{_DATE_INNER})", _h_pod_of),
    _rule(_B + rf"(?:(?P<rel>{_ci('this|last|yesterday|tomorrow')})\s+(?P<pod>morning|afternoon|evening|night)"
          rf"|(?P<pod2>{_ci('tonight|overnight')}))" + _E, _h_pod_rel),
    _rule(_B + rf"(?:{_ci('today|yesterday|tomorrow')}|(?:previous|next|following|same)\s+day)" + _E, _h_rel_day),
    _rule(_B + r"day" + _E, _h_rel_day, before=r"(?:[Dd]uring|[Tt]hroughout)\s+the\s+"),
    _rule(_B + rf"(?P<rel>{_REL})\s+(?P<unit>year|month|week|weekend|quarter|spring|summer|autumn|fall|winter)" + _E,
          _h_rel_unit),
    _rule(_B + r"weekend" + _E, _h_weekend),
    _rule(_B + rf"(?:(?P<ord>{_ci('first|second|third|fourth')})\s+quarter|Q(?P<q>[1-4]))(?:,?\s+(?:of\s+)?(?P<y>{YEAR}))?"
          + _E, _h_quarter),
    _rule(_B + rf"(?P<ord>{_ci('first|second')})\s+half\s+of\s+(?P<y>{YEAR})", _h_half),
    _rule(_B + rf"(?P<s>{_ci('spring|summer|autumn|fall|winter')})\s+(?:of\s+)?(?P<y>{YEAR})", _h_season),
    _rule(r"(?<![\w$€£,.:/-])(?P<y>" + YEAR + r")(?!,\d)(?![\w-])", _h_year),
    _rule(_B + r"(?P<dec>(?:1[89]|20)\d)0s" + _E, _h_decade),
    _rule(_B + r"(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?:\s*(?P<ap>[ap]\.m\.|[ap]m))?(?![\d:])", _h_clock),
    _rule(_B + r"(?P<H>1[0-2]|0?[1-9])(?P<M>)\s*(?P<ap>[ap]\.m\.|[ap]m(?![\w-]))", _h_clock),
    # "the past two weeks" keeps its modifier; "coming" is left out ("coming one day after").
    _rule(_B + rf"(?:(?P<mod>{_ci('past|last|next|previous')})\s+)?(?P<q>{QUANT})\s+(?P<unit>{UNIT})" + _E,
          _h_duration),
    _rule(_B + rf"(?P<q>\d+|{NUMWORD})-(?P<unit>second|minute|hour|day|week|month|year|decade|century)" + _E,
          _h_duration),
    _rule(_B + r"(?P<q>)(?P<unit>seconds|minutes|hours|days|weeks|months|years|decades|centuries)" + _E, _h_duration),
    _rule(_B + rf"(?:(?P<q>{QUANT})\s+)?(?P<unit>{UNIT})\s+ago" + _E, _h_ago),
    _rule(_B + rf"(?:(?:{_ci('every|each')})\s+(?:(?P<q>\d+|{NUMWORD}|other)\s+)?"
          rf"(?P<unit>(?:day|week|month|year|hour|morning|afternoon|evening|night|weekend)s?|{WEEKDAY})"
          r"|(?P<adv>daily|weekly|monthly|annually|yearly|hourly|nightly))" + _E, _h_set),
    _rule(_B + rf"(?P<w>{_ci('now|currently|nowadays|recently')})" + _E, _h_ref),
    _rule(_B + r"(?P<w>future|past)" + _E, _h_ref, before=r"\b[Ii]n\s+the\s+"),
)

_LEADING = re.compile(r"^(?:(?:on|in|during|since|over|at|by|until|from|for)\s+)?(?:the\s+)?", re.IGNORECASE)


def _apply(rule: _Rule, m: re.Match, dct: str | None, before: str) -> tuple[str, str] | None:
    if rule.before is not None and not rule.before.search(before):
        return None
    return rule.handler(m, _Ctx(_parse_dct(dct), dct, before))


def normalize(span_text: str, dct: str | None, context: str = "") -> tuple[str, str] | None:
    """(TIMEX3 type, value) for one temporal expression, or None if it is not one.

    ``context`` is the text just before the span (used for tense and anchor cues).
    A leading preposition or "the" in ``span_text`` is tolerated and ignored.
    """
    text = span_text.strip()
    lead = _LEADING.match(text)
    if lead and lead.end() < len(text):
        context = context + text[: lead.end()]
        text = text[lead.end():]
    for rule in _RULES:
        m = rule.pattern.fullmatch(text)
        if m:
            result = _apply(rule, m, dct, context)
            if result is not None:
                return result
    return None


def find_timexes(text: str, dct: str | None) -> list[tuple[int, int, str, str]]:
    """(start, end, type, value) of every temporal expression in ``text``, sorted by start.

    Overlapping candidates are resolved to the longest (then the earliest).
    """
    candidates: list[tuple[int, int, str, str]] = []
    for rule in _RULES:
        for m in rule.pattern.finditer(text):
            if m.end() == m.start():
                continue
            result = _apply(rule, m, dct, text[max(0, m.start() - 400):m.start()])
            if result is not None:
                candidates.append((m.start(), m.end(), *result))
    from baselines.rules.overlap import longest_first

    chosen = longest_first(candidates, lambda c: c[0], lambda c: c[1], lambda c: (c[0] - c[1], c[0], c[2], c[3]))
    chosen.sort()
    return _anchor_overnight(text, chosen)


def _anchor_overnight(text: str, found: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """'overnight on April 24': the night takes the date that follows it."""
    out = list(found)
    for i, (s, e, t, v) in enumerate(out[:-1]):
        nxt = out[i + 1]
        if (text[s:e].lower() == "overnight" and re.fullmatch(r"\s+(?:on\s+)?", text[e:nxt[0]])
                and re.fullmatch(r"\d{4}-\d{2}-\d{2}", nxt[3])):
            out[i] = (s, e, t, f"{nxt[3]}TNI")
    return out
