import pytest

from bench.io import DataError
from bench.records import (
    entity_row, evidence_row, fast_entity, fast_evidence, fast_timex, parse_entity, parse_evidence, parse_stance,
    parse_timex, stance_row, timex_row,
)
from bench.types import Entity, Evidence, Stance, Timex


def test_entity_round_trip_with_and_without_id():
    e = Entity(3, 8, "GPE", "Kyiv’", "kyiv")
    assert entity_row("d1", e) == {"doc_id": "d1", "start": 3, "end": 8, "label": "GPE", "entity_id": "kyiv",
                                   "text": "Kyiv’"}
    assert parse_entity(entity_row("d1", e), "w", with_id=True) == e
    plain = Entity(0, 2, "ORG", "UN")
    assert entity_row(None, plain) == {"start": 0, "end": 2, "label": "ORG", "text": "UN"}
    assert parse_entity(entity_row(None, plain), "w") == plain


def test_entity_id_is_required_only_for_gold():
    row = {"start": 0, "end": 2, "label": "ORG", "text": "UN"}
    with pytest.raises(DataError, match=r"gold:4: missing field 'entity_id'"):
        parse_entity(row, "gold:4", with_id=True)
    with pytest.raises(DataError, match=r"p:1: field 'entity_id' must be str, got 7"):
        parse_entity({**row, "entity_id": 7}, "p:1")


def test_timex_round_trip_and_missing_value():
    t = Timex(1, 11, "DATE", "2024-05-05", "5 May 2024")
    assert parse_timex(timex_row("d", t), "w") == t
    assert list(timex_row(None, t)) == ["start", "end", "type", "value", "text"]
    with pytest.raises(DataError, match=r"t:2: missing field 'value'"):
        parse_timex({"start": 1, "end": 2, "type": "DATE", "text": "x"}, "t:2")


def test_offsets_must_be_integers():
    with pytest.raises(DataError, match=r"field 'start' must be int, got 1.0"):
        parse_timex({"start": 1.0, "end": 2, "type": "DATE", "value": "2024", "text": "x"}, "t:1")


def test_stance_round_trip_and_evidence_checks():
    s = Stance("C01", "refute", (Evidence(5, 9, "author", "denies", "said"),))
    assert parse_stance(stance_row("d", s), "w") == s
    assert evidence_row(s.evidence[0]) == {"start": 5, "end": 9, "holder": "author", "polarity": "denies",
                                           "text": "said"}
    assert parse_stance({"claim_id": "C02", "label": "unrelated"}, "w") == Stance("C02", "unrelated", ())
    with pytest.raises(DataError, match=r"s:3: field 'evidence' must be a list"):
        parse_stance({"claim_id": "C01", "label": "support", "evidence": {}}, "s:3")
    with pytest.raises(DataError, match=r"s:3 evidence\[0\]: evidence must be an object"):
        parse_stance({"claim_id": "C01", "label": "support", "evidence": [5]}, "s:3")


def test_evidence_text_optional_for_predictions_only():
    obj = {"start": 0, "end": 4, "holder": "author", "polarity": "asserts"}
    assert parse_evidence(obj, "p", need_text=False) == Evidence(0, 4, "author", "asserts", "")
    with pytest.raises(DataError, match="missing field 'text'"):
        parse_evidence(obj, "g")


@pytest.mark.parametrize("fast,cls,row", [
    (fast_entity, Entity, {"start": 0, "end": 4, "label": "GPE", "text": "Kyiv", "entity_id": "e1"}),
    (fast_entity, Entity, {"start": 70000, "end": 70004, "label": "GPE", "text": "Kyiv"}),
    (fast_timex, Timex, {"start": 3, "end": 7, "type": "DATE", "value": "2025", "text": "2025"}),
    (fast_evidence, Evidence, {"start": 0, "end": 4, "holder": "author", "polarity": "asserts", "text": "Kyiv"}),
])
def test_the_fast_paths_build_the_instances_the_constructor_builds(fast, cls, row):
    import dataclasses

    made = fast(row)
    expected = cls(**row)
    assert type(made) is cls and made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.start = 1
    assert fast(dict(row, start=True)) is None  # a bool is not an offset
    assert fast(dict(row, end="4")) is None
    assert fast([row]) is None
    assert fast({k: v for k, v in row.items() if k != "text"}) is None


def test_the_fast_paths_follow_the_optional_fields():
    row = {"start": 0, "end": 4, "label": "GPE", "text": "Kyiv"}
    assert fast_entity(row) == Entity(0, 4, "GPE", "Kyiv") and fast_entity(row, with_id=True) is None
    assert fast_entity(dict(row, entity_id=3)) is None
    ev = {"start": 0, "end": 4, "holder": "author", "polarity": "asserts"}
    assert fast_evidence(ev) is None and fast_evidence(ev, need_text=False) == Evidence(0, 4, "author", "asserts", "")
