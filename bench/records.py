"""Parse span records (JSON objects) into typed values, with errors that say where."""

from __future__ import annotations

from dataclasses import fields
from sys import intern

from bench.io import DataError, require
from bench.types import Entity, Evidence, Stance, Timex


# One shared int object per offset below 2**16: a parsed offset is a fresh 32-byte int
# (Python caches only -5..256), and a 100,000-document corpus holds millions of them.
_OFFSETS = tuple(range(1 << 16))


def _offsets(obj: dict, where: str) -> tuple[int, int]:
    start = require(obj, "start", int, where)
    end = require(obj, "end", int, where)
    return start, end


def _object(obj, where: str) -> None:
    if not isinstance(obj, dict):
        raise DataError(f"{where}: expected an object, got {obj!r}")


def _setters(cls: type) -> tuple:
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


# Spans of well-formed records (millions in a big corpus) are built without the frozen
# dataclass's generated __init__, which sets each field through object.__setattr__ and
# takes twice as long: the same instance, fields set by their slot descriptors.
_new = object.__new__
_E_START, _E_END, _E_LABEL, _E_TEXT, _E_ID = _setters(Entity)
_T_START, _T_END, _T_TYPE, _T_VALUE, _T_TEXT = _setters(Timex)


def fast_entity(obj: object, with_id: bool = False) -> Entity | None:
    """The Entity of a well-formed record, or None (``parse_entity`` says what is wrong)."""
    if type(obj) is not dict:
        return None
    start, end, label, text = obj.get("start"), obj.get("end"), obj.get("label"), obj.get("text")
    entity_id = obj.get("entity_id")
    if not (type(start) is int and type(end) is int and type(label) is str and type(text) is str
            and (type(entity_id) is str or (entity_id is None and not with_id))):
        return None
    if 0 <= start < end < 65536:
        start, end = _OFFSETS[start], _OFFSETS[end]
    e = _new(Entity)
    _E_START(e, start)
    _E_END(e, end)
    _E_LABEL(e, intern(label))  # one label string, not millions
    _E_TEXT(e, text)
    _E_ID(e, entity_id)
    return e


def fast_timex(obj: object) -> Timex | None:
    """The Timex of a well-formed record, or None (``parse_timex`` says what is wrong)."""
    if type(obj) is not dict:
        return None
    start, end, typ, value, text = obj.get("start"), obj.get("end"), obj.get("type"), obj.get("value"), obj.get("text")
    if not (type(start) is int and type(end) is int and type(typ) is str and type(value) is str and type(text) is str):
        return None
    if 0 <= start < end < 65536:
        start, end = _OFFSETS[start], _OFFSETS[end]
    t = _new(Timex)
    _T_START(t, start)
    _T_END(t, end)
    _T_TYPE(t, intern(typ))
    _T_VALUE(t, value)
    _T_TEXT(t, text)
    return t


def parse_entity(obj: dict, where: str, with_id: bool = False) -> Entity:
    e = fast_entity(obj, with_id)
    if e is not None:
        return e
    _object(obj, where)
    start, end = _offsets(obj, where)
    entity_id = require(obj, "entity_id", str, where) if with_id else obj.get("entity_id")
    if entity_id is not None and not isinstance(entity_id, str):
        raise DataError(f"{where}: field 'entity_id' must be str, got {entity_id!r}")
    return Entity(start, end, require(obj, "label", str, where), require(obj, "text", str, where), entity_id)


def parse_timex(obj: dict, where: str) -> Timex:
    t = fast_timex(obj)
    if t is not None:
        return t
    _object(obj, where)
    start, end = _offsets(obj, where)
    return Timex(
        start, end, require(obj, "type", str, where), require(obj, "value", str, where),
        require(obj, "text", str, where),
    )


_V_START, _V_END, _V_HOLDER, _V_POLARITY, _V_TEXT = _setters(Evidence)


def fast_evidence(obj: object, need_text: bool = True) -> Evidence | None:
    """The Evidence of a well-formed record, or None (``parse_evidence`` says what is wrong)."""
    if type(obj) is not dict:
        return None
    start, end, holder, polarity = obj.get("start"), obj.get("end"), obj.get("holder"), obj.get("polarity")
    text = obj.get("text", None if need_text else "")
    if not (type(start) is int and type(end) is int and type(holder) is str and type(polarity) is str
            and type(text) is str):
        return None
    v = _new(Evidence)
    _V_START(v, start)
    _V_END(v, end)
    _V_HOLDER(v, holder)
    _V_POLARITY(v, polarity)
    _V_TEXT(v, text)
    return v


def parse_evidence(obj: dict, where: str, need_text: bool = True) -> Evidence:
    v = fast_evidence(obj, need_text)
    if v is not None:
        return v
    if not isinstance(obj, dict):
        raise DataError(f"{where}: evidence must be an object, got {obj!r}")
    start, end = _offsets(obj, where)
    text = require(obj, "text", str, where) if need_text else obj.get("text", "")
    return Evidence(start, end, require(obj, "holder", str, where), require(obj, "polarity", str, where), text)


def parse_stance(obj: dict, where: str, need_text: bool = True) -> Stance:
    _object(obj, where)
    evidence = obj.get("evidence", [])
    if not isinstance(evidence, list):
        raise DataError(f"{where}: field 'evidence' must be a list")
    return Stance(
        require(obj, "claim_id", str, where),
        require(obj, "label", str, where),
        tuple(fast_evidence(e, need_text) or parse_evidence(e, f"{where} evidence[{i}]", need_text)
              for i, e in enumerate(evidence)),
    )


def entity_row(doc_id: str | None, e: Entity) -> dict:
    row = {"doc_id": doc_id} if doc_id is not None else {}
    row.update(start=e.start, end=e.end, label=e.label)
    if e.entity_id is not None:
        row["entity_id"] = e.entity_id
    row["text"] = e.text
    return row


def timex_row(doc_id: str | None, t: Timex) -> dict:
    row = {"doc_id": doc_id} if doc_id is not None else {}
    row.update(start=t.start, end=t.end, type=t.type, value=t.value, text=t.text)
    return row


def evidence_row(ev: Evidence) -> dict:
    return {"start": ev.start, "end": ev.end, "holder": ev.holder, "polarity": ev.polarity, "text": ev.text}


def stance_row(doc_id: str | None, s: Stance) -> dict:
    row = {"doc_id": doc_id} if doc_id is not None else {}
    row.update(claim_id=s.claim_id, label=s.label, evidence=[evidence_row(e) for e in s.evidence])
    return row
