"""The JSONL prediction format: read (strictly validated) and write.

One line per document:
  {"doc_id": str,
   "entities": [{"start", "end", "label", "text"}],
   "timexes":  [{"start", "end", "type", "value", "text"}],
   "stances":  [{"claim_id", "label", "evidence": [{"start", "end", "holder", "polarity"}]}]}
A layer left out of every line means the task was not attempted.  Any problem is an
error naming the line, unless `partial=True` allows documents to be missing.

An optional first line without a doc_id is a header: ``{"label_scheme": "conll"}``
(or "ontonotes") declares the entity label scheme, which entity labels alone cannot
always tell (ORG and LOC belong to both).  `bench predict` writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bench.io import DataError, dumps_line, read_jsonl, require, write_jsonl
from bench.records import (
    entity_row, fast_entity, fast_timex, parse_entity, parse_stance, parse_timex, stance_row, timex_row,
)
from bench.timex3 import DCT_FORM, is_valid_dct, is_valid_value
from bench.types import (
    CONLL_LABELS, ENTITY_LABELS, POLARITIES, STANCE_LABELS, TIMEX_TYPES, Annotations, Document, GoldCorpus,
)

LAYERS = ("entities", "timexes", "stances")  # the keys a line may hold besides doc_id
HEADER_KEYS = frozenset({"label_scheme"})
LABEL_SCHEMES = ("ontonotes", "conll")


def _header(obj: dict, where: str) -> dict | None:
    """The header line's fields, or None when the line is a document line."""
    if "doc_id" in obj or "label_scheme" not in obj:
        return None
    unknown = sorted(set(obj) - HEADER_KEYS)
    if unknown:
        raise DataError(f"{where}: a line without doc_id is a header, which may only hold "
                        f"{', '.join(sorted(HEADER_KEYS))}; got {', '.join(unknown)}")
    if obj.get("label_scheme") not in LABEL_SCHEMES:
        raise DataError(f"{where}: header label_scheme must be one of {', '.join(LABEL_SCHEMES)}, "
                        f"got {obj.get('label_scheme')!r}")
    return obj


def declared_label_scheme(path: Path) -> str | None:
    """The label scheme a predictions file's header line declares, if it has one."""
    for lineno, obj in read_jsonl(Path(path)):
        header = _header(obj, f"{path}:{lineno}")
        return None if header is None else header["label_scheme"]
    return None


def _check_span(where: str, start: int, end: int, text: str | None, doc: Document) -> None:
    if not 0 <= start < end <= len(doc.text):
        raise DataError(f"{where}: offsets [{start}, {end}) out of range for {doc.doc_id} ({len(doc.text)} characters)")
    if text is not None and doc.text[start:end] != text:
        raise DataError(
            f"{where}: text {text!r} does not match {doc.doc_id} text {doc.text[start:end]!r} at [{start}, {end})"
        )


def _parse_line(obj: dict, where: str, doc: Document, claim_ids: set[str]) -> Annotations:
    ents = tmx = sts = None
    text, n_chars = doc.text, len(doc.text)
    if "entities" in obj:
        items = require(obj, "entities", list, where)
        # the record's place is spelled out only for a record that is not well-formed
        ents = tuple(sorted([fast_entity(o) or _is_obj(o, where) and parse_entity(o, f"{where} entities[{i}]")
                             for i, o in enumerate(items)], key=_entity_order))
        for e in ents:
            if not (0 <= e.start < e.end <= n_chars and text[e.start:e.end] == e.text):
                _check_span(f"{where} entity {e.text!r}", e.start, e.end, e.text, doc)
            if e.label not in _ENTITY_LABELS:
                raise DataError(
                    f"{where}: unknown entity label {e.label!r}; expected one of "
                    f"{', '.join(ENTITY_LABELS)} or CoNLL {', '.join(CONLL_LABELS)}"
                )
    if "timexes" in obj:
        items = require(obj, "timexes", list, where)
        tmx = tuple(sorted([fast_timex(o) or _is_obj(o, where) and parse_timex(o, f"{where} timexes[{i}]")
                            for i, o in enumerate(items)], key=_timex_order))
        for t in tmx:
            _check_span(f"{where} timex {t.text!r}", t.start, t.end, t.text, doc)
            if t.type not in TIMEX_TYPES:
                raise DataError(f"{where}: unknown timex type {t.type!r}; expected one of {', '.join(TIMEX_TYPES)}")
            if not is_valid_value(t.value, t.type):
                raise DataError(f"{where}: malformed TIMEX3 value {t.value!r} for type {t.type} ({t.text!r})")
    if "stances" in obj:
        items = require(obj, "stances", list, where)
        parsed = [parse_stance(o, f"{where} stances[{i}]") for i, o in enumerate(items) if _is_obj(o, where)]
        seen: set[str] = set()
        for s in parsed:
            if s.claim_id not in claim_ids:
                raise DataError(f"{where}: unknown claim_id {s.claim_id!r}; known: {', '.join(sorted(claim_ids))}")
            if s.claim_id in seen:
                raise DataError(f"{where}: claim {s.claim_id} predicted twice")
            seen.add(s.claim_id)
            if s.label not in STANCE_LABELS:
                raise DataError(f"{where}: unknown stance label {s.label!r}; expected one of {', '.join(STANCE_LABELS)}")
            for ev in s.evidence:  # evidence carries its text, like every other span
                _check_span(f"{where} {s.claim_id} evidence", ev.start, ev.end, ev.text, doc)
                if ev.polarity not in POLARITIES:
                    raise DataError(f"{where}: unknown polarity {ev.polarity!r}; expected one of {', '.join(POLARITIES)}")
        sts = tuple(sorted(parsed, key=lambda s: s.claim_id))
    return Annotations(doc.doc_id, ents, tmx, sts)


_ENTITY_LABELS = frozenset(ENTITY_LABELS) | frozenset(CONLL_LABELS)


def _entity_order(e):
    # Entity's own order, except that an entity_id None sorts before a str instead of
    # raising TypeError when two spans differ only there
    return e.start, e.end, e.label, e.text, e.entity_id is not None, e.entity_id or ""


def _timex_order(t):
    return t.start, t.end, t.type, t.value, t.text


def _is_obj(o: object, where: str) -> bool:
    if not isinstance(o, dict):
        raise DataError(f"{where}: expected a JSON object in the list, got {o!r}")
    return True


MAX_INPUT_ENV = "KURSK_BENCH_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 1024  # reading takes about 16 bytes of memory per byte of file


def check_size(path: Path) -> None:
    """Refuse a file so big that holding its predictions would exhaust memory (the limit is
    $KURSK_BENCH_MAX_INPUT_MB megabytes, 1024 by default; shard bigger inputs)."""
    import os

    try:
        limit = float(os.environ.get(MAX_INPUT_ENV) or DEFAULT_MAX_INPUT_MB)
        size = Path(path).stat().st_size
    except (OSError, ValueError):
        return  # an unreadable file is reported by the reader; a bad setting means no limit
    if size > limit * 2 ** 20:
        raise DataError(f"{path}: {size / 2 ** 20:,.0f} MB is over the input limit of {limit:,.0f} MB "
                        f"(about {16 * limit / 1024:,.0f} GB of memory to score); split it with --shard, "
                        f"or raise ${MAX_INPUT_ENV}")


def line_layers(obj: dict, where: str, layers: frozenset[str] | None) -> frozenset[str]:
    """The layers of a document line, which must be those of the lines before it (``layers``)."""
    unknown = sorted(set(obj) - {"doc_id", *LAYERS})
    if unknown:  # a misspelled layer ("timex") would otherwise read as "not attempted"
        raise DataError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; a line holds doc_id and "
                        f"any of {', '.join(LAYERS)}")
    these = frozenset(k for k in LAYERS if k in obj)
    if layers is not None and these != layers:
        raise DataError(f"{where}: layers {sorted(these)} differ from earlier lines' {sorted(layers)}")
    return these


def read_predictions(path: Path, corpus: GoldCorpus, partial: bool = False) -> list[Annotations]:
    """Predictions aligned with corpus.documents; a missing document is an error unless partial."""
    check_size(path)
    docs = corpus.by_id()
    claim_ids = {c.claim_id for c in corpus.claims}
    by_id: dict[str, Annotations] = {}
    layers: frozenset[str] | None = None
    first = True
    for lineno, obj in read_jsonl(Path(path)):
        where = f"{path}:{lineno}"
        if first and _header(obj, where) is not None:
            first = False
            continue
        first = False
        doc_id = require(obj, "doc_id", str, where)
        if doc_id not in docs:
            raise DataError(f"{where}: unknown doc_id {doc_id!r} (not in the dataset)")
        if doc_id in by_id:
            raise DataError(f"{where}: duplicate line for doc_id {doc_id!r}")
        layers = line_layers(obj, where, layers)
        by_id[doc_id] = _parse_line(obj, where, docs[doc_id], claim_ids)
    if not by_id:
        raise DataError(f"{path}: no predictions")
    if not layers:
        raise DataError(f"{path}: no line holds any of {', '.join(LAYERS)}; nothing to score")
    missing = [d.doc_id for d in corpus.documents if d.doc_id not in by_id]
    if missing and not partial:
        raise DataError(f"{path}: missing predictions for {len(missing)} document(s): {', '.join(missing[:5])}"
                        + (" ..." if len(missing) > 5 else "") + "; pass --partial to score only the documents present")
    # With partial, only the documents present are scored (the caller restricts the gold).
    return [by_id[d.doc_id] for d in corpus.documents if d.doc_id in by_id]


def check_output(ann: Annotations, doc: Document, claim_ids: set[str], where: str) -> Annotations:
    """An extractor's output checked like a line of a predictions file (offsets in range,
    texts that match, known labels, well-formed TIMEX3 values, known claims)."""
    try:
        row = prediction_row(ann)
    except (AttributeError, TypeError) as exc:
        raise DataError(f"{where}: malformed output: {type(exc).__name__}: {exc}") from None
    return _parse_line(row, where, doc, claim_ids)


def annotations_from_row(obj: dict, where: str, doc: Document, claim_ids: set[str]) -> Annotations:
    """A prediction line (a dict as read from JSON) checked and turned into Annotations."""
    return _parse_line(obj, where, doc, claim_ids)


def tasks_of(pred: Iterable[Annotations]) -> frozenset[str]:
    """The registered tasks whose layer the predictions hold."""
    from bench.scoring import TASKS

    first = next(iter(pred), None)
    if first is None:
        return frozenset()
    return frozenset(name for name, t in TASKS.items() if getattr(first, t.layer, None) is not None)


def prediction_row(ann: Annotations) -> dict:
    row: dict = {"doc_id": ann.doc_id}
    if ann.entities is not None:
        row["entities"] = [entity_row(None, e) for e in ann.entities]
    if ann.timexes is not None:
        row["timexes"] = [timex_row(None, t) for t in ann.timexes]
    if ann.stances is not None:
        row["stances"] = [stance_row(None, s) for s in ann.stances]
    return row


def write_predictions(path: Path, preds: Iterable[Annotations], label_scheme: str | None = None) -> None:
    """One line per document, after a header line declaring ``label_scheme`` when given."""
    header = [{"label_scheme": label_scheme}] if label_scheme is not None else []
    write_jsonl(Path(path), header + [prediction_row(p) for p in preds])


def read_input_documents(path: Path) -> list[Document]:
    """Documents for `bench predict`: one line each with doc_id, text and optional dct."""
    docs, seen = [], set()
    for lineno, obj in read_jsonl(Path(path)):
        where = f"{path}:{lineno}"
        doc_id = require(obj, "doc_id", str, where)
        if doc_id in seen:
            raise DataError(f"{where}: duplicate doc_id {doc_id!r}")
        seen.add(doc_id)
        dct = obj.get("dct")
        if dct is not None and not is_valid_dct(dct):
            raise DataError(f"{where}: field 'dct' must be {DCT_FORM} or null, got {dct!r}")
        docs.append(Document(doc_id, require(obj, "text", str, where), dct))
    return docs


__all__ = ["read_predictions", "write_predictions", "declared_label_scheme", "read_input_documents", "prediction_row", "tasks_of", "dumps_line"]
