"""Parse span records (JSON objects) into typed values, with errors that say where."""

from __future__ import annotations

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


def parse_entity(obj: dict, where: str, with_id: bool = False) -> Entity:
    if type(obj) is dict:  # fast path for a well-formed record (millions in a big corpus)
        start, end, label, text = obj.get("start"), obj.get("end"), obj.get("label"), obj.get("text")
        entity_id = obj.get("entity_id")
        if type(start) is int and type(end) is int and type(label) is str and type(text) is str \
                and (type(entity_id) is str or (entity_id is None and not with_id)):
            if 0 <= start < end < 65536:
                start, end = _OFFSETS[start], _OFFSETS[end]
            return Entity(start, end, intern(label), text, entity_id)  # one label string, not millions
    _object(obj, where)
    start, end = _offsets(obj, where)
    entity_id = require(obj, "entity_id", str, where) if with_id else obj.get("entity_id")
    if entity_id is not None and not isinstance(entity_id, str):
        raise DataError(f"{where}: field 'entity_id' must be str, got {entity_id!r}")
    return Entity(start, end, require(obj, "label", str, where), require(obj, "text", str, where), entity_id)


def parse_timex(obj: dict, where: str) -> Timex:
    if type(obj) is dict:  # fast path for a well-formed record
        start, end, typ, value, text = (obj.get(k) for k in ("start", "end", "type", "value", "text"))
        if type(start) is int and type(end) is int and type(typ) is str and type(value) is str and type(text) is str:
            if 0 <= start < end < 65536:
                start, end = _OFFSETS[start], _OFFSETS[end]
            return Timex(start, end, intern(typ), value, text)
    _object(obj, where)
    start, end = _offsets(obj, where)
    return Timex(
        start, end, require(obj, "type", str, where), require(obj, "value", str, where),
        require(obj, "text", str, where),
    )


def parse_evidence(obj: dict, where: str, need_text: bool = True) -> Evidence:
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
        tuple(parse_evidence(e, f"{where} evidence[{i}]", need_text) for i, e in enumerate(evidence)),
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
