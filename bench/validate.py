"""Validate the gold annotations (`data/annotations/`) against the corpus.

Returns every problem found, each one line naming file:line (or document) and what
is wrong; `bench validate` prints them and exits non-zero if there is any.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from pathlib import Path

from bench.io import DataError, read_jsonl, require
from bench.records import parse_entity, parse_stance, parse_timex
from bench.timex3 import DCT_FORM, is_valid_dct, is_valid_value
from bench.types import AUTHOR, ENTITY_LABELS, POLARITIES, STANCE_LABELS, TIMEX_TYPES

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CLAIM_ID = re.compile(r"C\d{2}")
FILES = ("documents.jsonl", "claims.jsonl", "entities_kb.jsonl", "entities.jsonl", "timex.jsonl", "stances.jsonl")


def _span_problems(where: str, start: int, end: int, text: str, doc_text: str) -> list[str]:
    if not 0 <= start < end <= len(doc_text):
        return [f"{where}: offsets [{start}, {end}) out of range for a document of {len(doc_text)} characters"]
    if doc_text[start:end] != text:
        return [f"{where}: text {text!r} does not match document text {doc_text[start:end]!r} at [{start}, {end})"]
    return []


def _overlaps(where_spans: list[tuple[str | None, int, int]], layer: str, name=None) -> list[str]:
    """Problems for spans that overlap their predecessor; a ``where`` of None is spelled
    ``name(start, end)``, and only when the span is reported."""
    problems = []
    ordered = sorted(where_spans, key=lambda w: (w[1], w[2]))
    for (w1, s1, e1), (w2, s2, e2) in zip(ordered, ordered[1:]):
        if s2 < e1:
            problems.append(f"{w2 or name(s2, e2)}: {layer} span [{s2}, {e2}) overlaps [{s1}, {e1}) "
                            f"at {w1 or name(s1, e1)}")
    return problems


def _inside(name: str) -> bool:
    from pathlib import PurePosixPath, PureWindowsPath

    parts = PurePosixPath(name).parts
    return bool(name) and not PurePosixPath(name).is_absolute() and not PureWindowsPath(name).drive \
        and ".." not in parts and "\\" not in name


def load_texts(ann_dir: Path, corpus_dir: Path, problems: list[str]) -> tuple[dict[str, str], list[str]]:
    """doc_id -> text, checking files exist and their sha256; also returns doc ids in order."""
    texts: dict[str, str] = {}
    order: list[str] = []
    path = ann_dir / "documents.jsonl"
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        doc_id = require(obj, "doc_id", str, where)
        name = require(obj, "file", str, where)
        if not _inside(name):  # an absolute path or "../" would read files outside the corpus
            problems.append(f"{where}: file {name!r} must be a relative path inside the corpus directory")
            continue
        file = corpus_dir / name
        sha = require(obj, "sha256", str, where)
        dct = obj.get("dct")
        if dct is not None and not is_valid_dct(dct):
            problems.append(f"{where}: dct {dct!r} is not {DCT_FORM}")
        if doc_id in texts:
            problems.append(f"{where}: duplicate doc_id {doc_id!r}")
            continue
        try:
            data = file.read_bytes()
        except OSError:
            problems.append(f"{where}: corpus file {file} is missing")
            continue
        if hashlib.sha256(data).hexdigest() != sha:
            problems.append(f"{where}: sha256 mismatch for {file}: the corpus file differs from the annotated one")
        try:
            texts[doc_id] = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"{where}: corpus file {file} is not valid UTF-8 (byte {exc.start})")
            continue
        order.append(doc_id)
    return texts, order


def check_annotations(ann_dir: Path, corpus_dir: Path) -> list[str]:
    """All problems in the annotation set (empty list = valid)."""
    ann_dir, corpus_dir = Path(ann_dir), Path(corpus_dir)
    problems: list[str] = []
    missing = [f for f in FILES if not (ann_dir / f).is_file()]
    if missing:
        return [f"{ann_dir}: missing annotation file(s): {', '.join(missing)}"]
    try:
        texts, _ = load_texts(ann_dir, corpus_dir, problems)
        claim_ids = _check_claims(ann_dir / "claims.jsonl", problems)
        kb = _check_kb(ann_dir / "entities_kb.jsonl", problems)
        _check_entities(ann_dir / "entities.jsonl", texts, kb, problems)
        _check_timexes(ann_dir / "timex.jsonl", texts, problems)
        _check_stances(ann_dir / "stances.jsonl", texts, claim_ids, kb, problems)
        order = {d: i for i, d in enumerate(texts)}
        # order is cosmetic (diffs): only reported once the content is valid
        layers = (("entities.jsonl", ("start", "end")), ("timex.jsonl", ("start", "end")),
                  ("stances.jsonl", ("claim_id",)))
        for name, key in () if problems else layers:
            _check_order(ann_dir / name, order, key, problems)
    except DataError as exc:
        problems.append(str(exc))
    return problems


def _check_claims(path: Path, problems: list[str]) -> list[str]:
    ids: list[str] = []
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        cid = require(obj, "claim_id", str, where)
        require(obj, "text", str, where)
        if not CLAIM_ID.fullmatch(cid):
            problems.append(f"{where}: claim_id {cid!r} is not of the form C01")
        if cid in ids:
            problems.append(f"{where}: duplicate claim_id {cid!r}")
        ids.append(cid)
    return ids


def _check_kb(path: Path, problems: list[str]) -> set[str]:
    kb: set[str] = set()
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        eid = require(obj, "entity_id", str, where)
        require(obj, "name", str, where)
        label = require(obj, "label", str, where)
        if not SLUG.fullmatch(eid):
            problems.append(f"{where}: entity_id {eid!r} is not a lower-case slug")
        if label not in ENTITY_LABELS:
            problems.append(f"{where}: unknown label {label!r}; expected one of {', '.join(ENTITY_LABELS)}")
        if eid in kb:
            problems.append(f"{where}: duplicate entity_id {eid!r}")
        kb.add(eid)
    return kb


def _check_order(path: Path, order: dict[str, int], key: tuple[str, ...], problems: list[str]) -> None:
    """Lines sorted by document (in documents.jsonl order), then key: diffs stay one line each."""
    prev = None
    for lineno, obj in read_jsonl(path):
        if obj.get("doc_id") not in order:
            continue  # reported already
        cur = (order[obj["doc_id"]], *(obj.get(k) for k in key))
        if prev is not None and cur < prev:
            problems.append(f"{path}:{lineno}: line out of order (sort by doc_id, {', '.join(key)})")
            return
        prev = cur


def _known_doc(doc_id: str, texts: dict[str, str], where: str, problems: list[str]) -> bool:
    if doc_id not in texts:
        problems.append(f"{where}: unknown doc_id {doc_id!r}")
        return False
    return True


def _check_entities(path: Path, texts: dict[str, str], kb: set[str], problems: list[str]) -> None:
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        doc_id = require(obj, "doc_id", str, where)
        e = parse_entity(obj, where, with_id=True)
        if not _known_doc(doc_id, texts, where, problems):
            continue
        problems += _span_problems(where, e.start, e.end, e.text, texts[doc_id])
        if e.label not in ENTITY_LABELS:
            problems.append(f"{where}: unknown entity label {e.label!r}; expected one of {', '.join(ENTITY_LABELS)}")
        if e.entity_id not in kb:
            problems.append(f"{where}: unknown entity_id {e.entity_id!r} (not in entities_kb.jsonl)")
        spans[doc_id].append((where, e.start, e.end))
    for doc_spans in spans.values():
        problems += _overlaps(doc_spans, "entity")


def _check_timexes(path: Path, texts: dict[str, str], problems: list[str]) -> None:
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        doc_id = require(obj, "doc_id", str, where)
        t = parse_timex(obj, where)
        if not _known_doc(doc_id, texts, where, problems):
            continue
        problems += _span_problems(where, t.start, t.end, t.text, texts[doc_id])
        if t.type not in TIMEX_TYPES:
            problems.append(f"{where}: unknown timex type {t.type!r}; expected one of {', '.join(TIMEX_TYPES)}")
        elif not is_valid_value(t.value, t.type):
            problems.append(f"{where}: malformed TIMEX3 value {t.value!r} for type {t.type}")
        spans[doc_id].append((where, t.start, t.end))
    for doc_spans in spans.values():
        problems += _overlaps(doc_spans, "timex")


def _check_stances(path: Path, texts: dict[str, str], claim_ids: list[str], kb: set[str], problems: list[str]) -> None:
    seen: set[tuple[str, str]] = set()
    for lineno, obj in read_jsonl(path):
        where = f"{path}:{lineno}"
        doc_id = require(obj, "doc_id", str, where)
        s = parse_stance(obj, where)
        if not _known_doc(doc_id, texts, where, problems):
            continue
        if s.claim_id not in claim_ids:
            problems.append(f"{where}: unknown claim_id {s.claim_id!r}")
        if (doc_id, s.claim_id) in seen:
            problems.append(f"{where}: duplicate stance for ({doc_id}, {s.claim_id})")
        seen.add((doc_id, s.claim_id))
        if s.label not in STANCE_LABELS:
            problems.append(f"{where}: unknown stance label {s.label!r}; expected one of {', '.join(STANCE_LABELS)}")
        if s.label == "unrelated" and s.evidence:
            problems.append(f"{where}: ({doc_id}, {s.claim_id}) is unrelated but has evidence")
        if s.label in STANCE_LABELS and s.label != "unrelated" and not s.evidence:
            problems.append(f"{where}: ({doc_id}, {s.claim_id}) is {s.label} but has no evidence")
        for i, ev in enumerate(s.evidence):
            ew = f"{where} evidence[{i}]"
            problems += _span_problems(ew, ev.start, ev.end, ev.text, texts[doc_id])
            if ev.holder != AUTHOR and ev.holder not in kb:
                problems.append(f"{ew}: unknown holder {ev.holder!r} (not 'author' nor in entities_kb.jsonl)")
            if ev.polarity not in POLARITIES:
                problems.append(f"{ew}: unknown polarity {ev.polarity!r}; expected one of {', '.join(POLARITIES)}")
    for doc_id in texts:
        for cid in claim_ids:
            if (doc_id, cid) not in seen:
                problems.append(f"{path}: missing stance for pair ({doc_id}, {cid})")


def check_gold_corpus(corpus, where: str) -> list[str]:
    """The checks of `bench validate` on gold already loaded from a dataset directory (which
    carries no knowledge base, so holders are not looked up): a hand-made dataset passed
    with --dataset must meet the same rules before anything is scored against it."""
    problems: list[str] = []
    claim_ids = [c.claim_id for c in corpus.claims]
    meta = {m.doc_id: m for m in corpus.meta}
    for doc, gold in zip(corpus.documents, corpus.gold):
        at = f"{where}: {doc.doc_id}"
        m = meta.get(doc.doc_id)
        if m is not None and m.sha256 and hashlib.sha256(doc.text.encode("utf-8")).hexdigest() != m.sha256:
            problems.append(f"{at}: sha256 {m.sha256[:12]}... does not match the document text")
        text, n = doc.text, len(doc.text)
        for layer, spans, labels in (("entity", gold.entities, ENTITY_LABELS), ("timex", gold.timexes, TIMEX_TYPES)):
            def name(a: int, b: int, layer: str = layer) -> str:  # formatted only for a problem
                return f"{at} {layer} [{a}, {b})"

            for s in spans:
                label = s.label if layer == "entity" else s.type
                fits = 0 <= s.start < s.end <= n and text[s.start:s.end] == s.text
                known = label in labels
                valid = layer != "timex" or not known or is_valid_value(s.value, s.type)
                if not (fits and known and valid):
                    sw = name(s.start, s.end)
                    problems += _span_problems(sw, s.start, s.end, s.text, doc.text)
                    if not known:
                        problems.append(f"{sw}: unknown {layer} label {label!r}; expected one of {', '.join(labels)}")
                    elif not valid:
                        problems.append(f"{sw}: malformed TIMEX3 value {s.value!r} for type {s.type}")
            problems += _overlaps([(None, s.start, s.end) for s in spans], layer, name)
        seen = set()
        for st in gold.stances:
            sw = f"{at} {st.claim_id}"
            seen.add(st.claim_id)
            if st.label == "unrelated" and st.evidence:
                problems.append(f"{sw}: unrelated but has evidence")
            if st.label != "unrelated" and not st.evidence:
                problems.append(f"{sw}: {st.label} but has no evidence")
            for i, ev in enumerate(st.evidence):
                problems += _span_problems(f"{sw} evidence[{i}]", ev.start, ev.end, ev.text, doc.text)
                if ev.polarity not in POLARITIES:
                    problems.append(f"{sw} evidence[{i}]: unknown polarity {ev.polarity!r}")
        missing = [c for c in claim_ids if c not in seen]
        if missing:
            problems.append(f"{at}: no stance for claim(s) {', '.join(missing)} (every pair needs one)")
    return problems
