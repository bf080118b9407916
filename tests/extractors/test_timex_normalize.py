"""TIMEX3 detection and normalisation on invented news sentences.

DCT is Thursday 2024-11-14 unless stated; expected values are computed by hand.
"""

from __future__ import annotations

import pytest

from baselines.timex_normalize import find_timexes, normalize
from bench.timex3 import is_valid_value

DCT = "2024-11-14"  # a Thursday, ISO week 46


def found(text: str, dct: str | None = DCT) -> list[tuple[str, str, str]]:
    """(surface, type, value) of every detected expression."""
    return [(text[s:e], t, v) for s, e, t, v in find_timexes(text, dct)]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        # weekdays: the most recent such day on or before the DCT
        ("The minister resigned on Monday.", ("Monday", "DATE", "2024-11-11")),
        ("Voting closed on Thursday.", ("Thursday", "DATE", "2024-11-14")),
        ("Talks began on Friday.", ("Friday", "DATE", "2024-11-08")),
        ("Protests started early on Sunday.", ("Sunday", "DATE", "2024-11-10")),
        # relative years and days
        ("Exports fell last year.", ("last year", "DATE", "2023")),
        ("This year the harvest was poor.", ("This year", "DATE", "2024")),
        ("Elections are due next year.", ("next year", "DATE", "2025")),
        ("The port reopened yesterday.", ("yesterday", "DATE", "2024-11-13")),
        ("The court rules today.", ("today", "DATE", "2024-11-14")),
        ("Floods hit the coast in August last year.", ("August last year", "DATE", "2023-08")),
        # month-day and day-month, with and without a year
        ("The ferry sank on March 3.", ("March 3", "DATE", "2024-03-03")),
        ("The deal was signed on 3 March 2021.", ("3 March 2021", "DATE", "2021-03-03")),
        ("The deal was signed on 3 Mar. 2021.", ("3 Mar. 2021", "DATE", "2021-03-03")),
        ("Rains returned on Sept. 9.", ("Sept. 9", "DATE", "2024-09-09")),
        ("The bridge closed on Oct. 2 last year.", ("Oct. 2 last year", "DATE", "2023-10-02")),
        ("Here is the digest for November 2nd.", ("November 2nd", "DATE", "2024-11-02")),
        ("The strike began on January 9, 2020.", ("January 9, 2020", "DATE", "2020-01-09")),
        # a month-day far after the DCT is taken from the previous year
        ("The dam burst on December 20.", ("December 20", "DATE", "2023-12-20")),
        # month-year, ISO dates and times
        ("The mine opened in June 2019.", ("June 2019", "DATE", "2019-06")),
        ("Filed on 2022-07-01 by the clerk.", ("2022-07-01", "DATE", "2022-07-01")),
        ("Posted: 3 Mar. 2021, 18:05", ("3 Mar. 2021, 18:05", "TIME", "2021-03-03T18:05")),
        ("The alarm sounded at 09:45.", ("09:45", "TIME", "2024-11-14T09:45")),
        ("The train left at 7 p.m.", ("7 p.m.", "TIME", "2024-11-14T19:00")),
        # parts of day
        ("Shelling resumed on the evening of November 10.", ("evening of November 10", "TIME", "2024-11-10TEV")),
        ("Crowds gathered on Tuesday morning.", ("Tuesday morning", "TIME", "2024-11-12TMO")),
        ("Sirens sounded last night.", ("last night", "TIME", "2024-11-13TNI")),
        # weekends, weeks, months, quarters, seasons, decades, years
        ("Fighting eased over the weekend.", ("weekend", "DATE", "2024-W45-WE")),
        ("Prices rose last week.", ("last week", "DATE", "2024-W45")),
        ("Sales slowed last month.", ("last month", "DATE", "2024-10")),
        ("Profits fell in the first quarter.", ("first quarter", "DATE", "2024-Q1")),
        ("Profits fell in the third quarter of 2020.", ("third quarter of 2020", "DATE", "2020-Q3")),
        ("Output grew in Q2 2022.", ("Q2 2022", "DATE", "2022-Q2")),
        ("The drought of summer 2018 was severe.", ("summer 2018", "DATE", "2018-SU")),
        ("Wildfires spread last summer.", ("last summer", "DATE", "2024-SU")),
        ("Talks resume next spring.", ("next spring", "DATE", "2025-SP")),
        ("A match is planned this weekend.", ("this weekend", "DATE", "2024-W46-WE")),
        ("Crowds gathered over the past weekend.", ("past weekend", "DATE", "2024-W45-WE")),
        ("Sales fell last quarter.", ("last quarter", "DATE", "2024-Q3")),
        ("Rents rose over the past year.", ("past year", "DURATION", "P1Y")),
        ("Growth was fast in the 1990s.", ("1990s", "DATE", "199")),
        ("The treaty dates from 2019.", ("2019", "DATE", "2019")),
        # durations
        ("The city marked 80 years since its founding.", ("80 years", "DURATION", "P80Y")),
        ("He reviewed his first 100 days in office.", ("100 days", "DURATION", "P100D")),
        ("She arrived a day after the vote.", ("a day", "DURATION", "P1D")),
        ("It took months to rebuild.", ("months", "DURATION", "PXM")),
        ("It was the first such war in decades.", ("decades", "DURATION", "PXDE")),
        ("The feud lasted years.", ("years", "DURATION", "PXY")),
        ("Repairs will take weeks.", ("weeks", "DURATION", "PXW")),
        ("The talks lasted two weeks.", ("two weeks", "DURATION", "P2W")),
        ("They held a three-day summit.", ("three-day", "DURATION", "P3D")),
        ("Power was out for 24 hours.", ("24 hours", "DURATION", "PT24H")),
        ("The siege lasted several months.", ("several months", "DURATION", "PXM")),
        ("Cases doubled over the past two weeks.", ("past two weeks", "DURATION", "P2W")),
        # vague and past references
        ("A few days ago, the mayor resigned.", ("A few days ago", "DATE", "PAST_REF")),
        ("The plant closed two years ago.", ("two years ago", "DATE", "2022")),
        ("Rates are now at a record.", ("now", "DATE", "PRESENT_REF")),
        # sets
        ("Inspectors visit every week.", ("every week", "SET", "P1W")),
        ("The bulletin appears daily.", ("daily", "SET", "P1D")),
        ("The market opens every Monday.", ("every Monday", "SET", "P1W")),
    ],
)
def test_single_expression(sentence, expected):
    assert found(sentence) == [expected]


def test_previous_day_is_anchored_on_the_date_named_before_it():
    text = "Officials said on Tuesday that the talks had ended the previous day."
    assert found(text) == [("Tuesday", "DATE", "2024-11-12"), ("previous day", "DATE", "2024-11-11")]


def test_previous_day_without_anchor_uses_the_dct():
    assert found("The previous day was calm.") == [("previous day", "DATE", "2024-11-13")]


def test_during_the_day_takes_the_anchor_date():
    text = "By the evening of November 9, ten attacks had been reported during the day."
    assert found(text) == [("evening of November 9", "TIME", "2024-11-09TEV"), ("day", "DATE", "2024-11-09")]


def test_overnight_takes_the_following_date():
    text = "Drones struck the port overnight on November 3, officials said."
    assert found(text) == [("overnight", "TIME", "2024-11-03TNI"), ("November 3", "DATE", "2024-11-03")]


def test_future_tense_resolves_forward():
    assert found("The summit will open on Friday.") == [("Friday", "DATE", "2024-11-15")]
    assert found("The fair will return on December 20.") == [("December 20", "DATE", "2024-12-20")]


def test_printed_date_header_and_several_expressions_in_order():
    text = "date 2024-11-14 The vote on Monday came a day after the rally on November 10."
    assert found(text) == [
        ("2024-11-14", "DATE", "2024-11-14"),
        ("Monday", "DATE", "2024-11-11"),
        ("a day", "DURATION", "P1D"),
        ("November 10", "DATE", "2024-11-10"),
    ]


def test_without_dct_relative_values_keep_xs():
    assert found("They met on Monday.", None) == [("Monday", "DATE", "XXXX-XX-XX")]
    assert found("They met on April 26.", None) == [("April 26", "DATE", "XXXX-04-26")]
    assert found("Floods came in August last year.", None) == [("August last year", "DATE", "XXXX-08")]
    assert found("It rained last year.", None) == [("last year", "DATE", "XXXX")]
    assert found("The mine opened in June 2019.", None) == [("June 2019", "DATE", "2019-06")]
    assert found("It lasted 80 years.", None) == [("80 years", "DURATION", "P80Y")]


def test_datetime_dct_is_accepted():
    assert found("They met on Monday.", "2024-11-14T08:30") == [("Monday", "DATE", "2024-11-11")]


@pytest.mark.parametrize(
    "text",
    [
        "May the best team win.",  # "May" alone is not a month
        "At least 1,200 people and 40 soldiers were hurt.",  # counts, not years
        "The fund holds €2019 in cash.",
        "The 80th anniversary was marked for the first time, three generations on.",
        "Aid will arrive soon, as announced earlier and previously.",
        "He signed an 80-year-old charter.",  # an age, not a duration
    ],
)
def test_non_expressions_are_ignored(text):
    assert found(text) == []


def test_impossible_day_falls_back_to_the_month():
    assert found("He was born on February 30.") == [("February", "DATE", "2024-02")]


def test_spans_leave_prepositions_and_the_outside():
    text = "Profits rose during the first quarter and fell on Monday."
    for s, e, _t, _v in find_timexes(text, DCT):
        assert not text[s:e].lower().startswith(("the ", "on ", "during "))
    assert [text[s:e] for s, e, _t, _v in find_timexes(text, DCT)] == ["first quarter", "Monday"]


def test_output_is_sorted_and_non_overlapping():
    text = "On 3 Mar. 2021, 18:05 and on the evening of March 4, over the weekend, for two weeks now."
    spans = find_timexes(text, DCT)
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_normalize_single_spans():
    assert normalize("on Monday", DCT) == ("DATE", "2024-11-11")
    assert normalize("the evening of November 10", DCT) == ("TIME", "2024-11-10TEV")
    assert normalize("the weekend", DCT) == ("DATE", "2024-W45-WE")
    assert normalize("Dec. 5 last year", DCT) == ("DATE", "2023-12-05")
    assert normalize("100 days", DCT) == ("DURATION", "P100D")
    assert normalize("every week", None) == ("SET", "P1W")


def test_normalize_uses_context_for_anchor_and_tense():
    before = "Officials said on Tuesday that the talks had ended the "
    assert normalize("previous day", DCT, context=before) == ("DATE", "2024-11-11")
    assert normalize("Friday", DCT, context="The summit will open on ") == ("DATE", "2024-11-15")


def test_normalize_rejects_non_expressions():
    assert normalize("banana", DCT) is None
    assert normalize("May", DCT) is None
    assert normalize("the treaty", DCT) is None


MIXED = (
    "date 2024-11-14 On Monday, a day after talks on 3 Mar. 2021, 18:05 and the evening of March 4, "
    "officials met over the weekend, last week, last month, in the first quarter, last quarter, next summer, "
    "in June 2019, in the 1990s, for 80 years, several months, 24 hours, two years ago, a few days ago, "
    "now, every week, every Monday, daily, at 7 p.m., yesterday, the previous day, during the day, "
    "overnight on November 3 and in August last year."
)


@pytest.mark.parametrize("dct", [DCT, "2024-11-14T08:30", None])
def test_every_value_fits_the_benchmark_grammar(dct):
    spans = find_timexes(MIXED, dct)
    assert len(spans) >= 25
    for s, e, t, v in spans:
        assert is_valid_value(v, t), (MIXED[s:e], t, v)
