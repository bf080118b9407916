import pytest

from bench.timex3 import is_valid_value


@pytest.mark.parametrize("value, typ", [
    ("2024", "DATE"), ("2024-05", "DATE"), ("2024-05-05", "DATE"), ("2024-W19", "DATE"),
    ("2025-W17-WE", "DATE"), ("2025-Q1", "DATE"), ("2024-H2", "DATE"), ("2024-SU", "DATE"),
    ("199", "DATE"), ("19", "DATE"), ("XXXX-05-05", "DATE"), ("202X", "DATE"), ("20XX-XX", "DATE"),
    ("PAST_REF", "DATE"), ("PRESENT_REF", "DATE"), ("FUTURE_REF", "DATE"),
    ("2025-04-28T09:16", "TIME"), ("2025-04-24TNI", "TIME"), ("2025-04-24TMO", "TIME"),
    ("T14:30:05", "TIME"), ("TEV", "TIME"),
    ("P80Y", "DURATION"), ("P100D", "DURATION"), ("PXM", "DURATION"), ("PXDE", "DURATION"),
    ("PT2H", "DURATION"), ("P1Y6M", "DURATION"), ("P1DT12H", "DURATION"), ("P1.5D", "DURATION"),
    ("P1W", "SET"), ("XXXX-XX-XX", "SET"), ("TEV", "SET"),
])
def test_valid_values(value, typ):
    assert is_valid_value(value, typ)
    assert is_valid_value(value)  # valid for some type -> valid in the generic grammar


@pytest.mark.parametrize("value, typ", [
    ("", "DATE"), ("May 2024", "DATE"), ("2024-5-5", "DATE"), ("2024-13-01", "DATE"), ("2024-05-32", "DATE"),
    ("2024-W54", "DATE"), ("2024-Q5", "DATE"), ("12345", "DATE"), ("1", "DATE"), (" 2024", "DATE"),
    ("2024-05-05 ", "DATE"), ("2024-05-05T14:30", "DATE"),  # a time of day makes it TIME
    ("P3D", "DATE"), ("2024-05-05", "DURATION"), ("P", "DURATION"), ("PT", "DURATION"), ("P3d", "DURATION"),
    ("3D", "DURATION"), ("PRESENT_REF", "DURATION"),
    ("2024-05-05T25:00", "TIME"), ("T24", "TIME"), ("2024-05-05T14:60", "TIME"),
])
def test_invalid_values(value, typ):
    assert not is_valid_value(value, typ)


def test_generic_grammar_rejects_free_text():
    assert not is_valid_value("yesterday")
    assert not is_valid_value("2024-05-05/2024-05-06")


def test_calendar_dates_must_exist():
    from bench.timex3 import is_valid_dct

    assert is_valid_value("2024-02-29", "DATE") and not is_valid_value("2025-02-29", "DATE")
    assert not is_valid_value("2025-04-31", "DATE") and not is_valid_value("2025-02-31T10:00", "TIME")
    assert is_valid_value("2025-04-XX", "DATE")  # unknown day: nothing to check
    assert is_valid_dct("2025-04-29") and is_valid_dct("2025-04-29T23:59")
    for bad in ("2025-13-45", "2025-02-31", "2025-04-29T24:00", "29 April 2025", 20250429, None):
        assert not is_valid_dct(bad)
