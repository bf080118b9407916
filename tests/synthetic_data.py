"""A tiny invented corpus with complete gold, used instead of the real annotations.

Texts contain non-ASCII characters (em dash, curly quotes, é) before annotated spans,
so code-point and byte offsets differ.  Offsets are found with str.index on the
exact text and a few are pinned by hand in the tests.
"""

from __future__ import annotations

import hashlib

TEXTS: dict[str, str] = {
    "doc000": (
        "PARIS — Marie Durand met officials from Renault in Paris on 5 May 2024.\n"
        "She said the plant’s closure was “not planned”. Talks lasted three days.\n"
    ),
    "doc001": (
        "Café owners in Lyon denied on Monday that Renault would close the plant.\n"
        "The French government expects a decision every week.\n"
    ),
    "doc002": "A short note about the weather in Lisbon.\n",
}
FILES = {"doc000": "000_alpha.txt", "doc001": "001_beta.txt", "doc002": "002_gamma.txt"}
DCT = {"doc000": "2024-05-05", "doc001": "2024-05-07", "doc002": None}
OUTLET = {"doc000": "Le Test", "doc001": None, "doc002": None}

CLAIMS = (("C01", "Renault will close its plant."), ("C02", "Talks lasted several days."))

KB = (
    ("french", "French", "NORP"),
    ("lisbon", "Lisbon", "GPE"),
    ("lyon", "Lyon", "GPE"),
    ("marie-durand", "Marie Durand", "PERSON"),
    ("paris", "Paris", "GPE"),
    ("renault", "Renault", "ORG"),
)

# (doc, surface, occurrence index, label, entity_id)
_ENTITIES = (
    ("doc000", "PARIS", 0, "GPE", "paris"),
    ("doc000", "Marie Durand", 0, "PERSON", "marie-durand"),
    ("doc000", "Renault", 0, "ORG", "renault"),
    ("doc000", "Paris", 0, "GPE", "paris"),
    ("doc001", "Lyon", 0, "GPE", "lyon"),
    ("doc001", "Renault", 0, "ORG", "renault"),
    ("doc001", "French", 0, "NORP", "french"),
    ("doc002", "Lisbon", 0, "GPE", "lisbon"),
)
_TIMEXES = (
    ("doc000", "5 May 2024", "DATE", "2024-05-05"),
    ("doc000", "three days", "DURATION", "P3D"),
    ("doc001", "Monday", "DATE", "2024-05-06"),
    ("doc001", "every week", "SET", "P1W"),
)
# (doc, claim, label, [(surface, holder, polarity)])
_STANCES = (
    ("doc000", "C01", "refute", [("She said the plant’s closure was “not planned”.", "marie-durand", "denies")]),
    ("doc000", "C02", "support", [("Talks lasted three days.", "author", "asserts")]),
    ("doc001", "C01", "discuss",
     [("Café owners in Lyon denied on Monday that Renault would close the plant.", "author", "doubts")]),
    ("doc001", "C02", "unrelated", []),
    ("doc002", "C01", "unrelated", []),
    ("doc002", "C02", "unrelated", []),
)


def _find(doc: str, surface: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXTS[doc].index(surface, start + 1)
    return start, start + len(surface)


def sha256(doc: str) -> str:
    return hashlib.sha256(TEXTS[doc].encode("utf-8")).hexdigest()


def documents_rows() -> list[dict]:
    return [{"doc_id": d, "file": FILES[d], "sha256": sha256(d), "outlet": OUTLET[d], "dct": DCT[d],
             "dct_source": "invented for tests"} for d in TEXTS]


def claims_rows() -> list[dict]:
    return [{"claim_id": c, "text": t} for c, t in CLAIMS]


def kb_rows() -> list[dict]:
    return [{"entity_id": e, "name": n, "label": lab} for e, n, lab in KB]


def entity_rows() -> list[dict]:
    rows = []
    for doc, surface, occ, label, eid in _ENTITIES:
        s, e = _find(doc, surface, occ)
        rows.append({"doc_id": doc, "start": s, "end": e, "label": label, "entity_id": eid, "text": surface})
    return sorted(rows, key=lambda r: (r["doc_id"], r["start"]))


def timex_rows() -> list[dict]:
    rows = []
    for doc, surface, typ, value in _TIMEXES:
        s, e = _find(doc, surface)
        rows.append({"doc_id": doc, "start": s, "end": e, "type": typ, "value": value, "text": surface})
    return sorted(rows, key=lambda r: (r["doc_id"], r["start"]))


def stance_rows() -> list[dict]:
    rows = []
    for doc, claim, label, evidence in _STANCES:
        ev = []
        for surface, holder, polarity in evidence:
            s, e = _find(doc, surface)
            ev.append({"start": s, "end": e, "holder": holder, "polarity": polarity, "text": surface})
        rows.append({"doc_id": doc, "claim_id": claim, "label": label, "evidence": ev})
    return rows


def prediction_rows() -> list[dict]:
    """The gold itself in the prediction format (a perfect system)."""
    out = []
    for doc in TEXTS:
        out.append({
            "doc_id": doc,
            "entities": [{k: r[k] for k in ("start", "end", "label", "text")}
                         for r in entity_rows() if r["doc_id"] == doc],
            "timexes": [{k: r[k] for k in ("start", "end", "type", "value", "text")}
                        for r in timex_rows() if r["doc_id"] == doc],
            "stances": [{"claim_id": r["claim_id"], "label": r["label"], "evidence": r["evidence"]}
                        for r in stance_rows() if r["doc_id"] == doc],
        })
    return out
