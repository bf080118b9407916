"""Small extractors for CLI tests (`--model tests.fixtures_extractors:Name`).

They read no gold files: PerfectExtractor knows the answers for the invented texts
of tests/synthetic_data.py (found by exact text), the others are simple rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bench.types import Annotations, Claim, Document, Entity, Evidence, Stance, Timex
from tests import synthetic_data as sd


class PerfectExtractor:
    """Returns the synthetic gold for a known text, nothing for any other text."""

    name = "perfect"
    version = "1.0"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"
    label_map: dict[str, str] = {}

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        known = next((d for d, t in sd.TEXTS.items() if t == doc.text), None)
        ents = tuple(Entity(r["start"], r["end"], r["label"], r["text"])
                     for r in sd.entity_rows() if r["doc_id"] == known)
        tmx = tuple(Timex(r["start"], r["end"], r["type"], r["value"], r["text"])
                    for r in sd.timex_rows() if r["doc_id"] == known)
        wanted = {c.claim_id for c in claims}
        sts = tuple(
            Stance(r["claim_id"], r["label"], tuple(Evidence(**e) for e in r["evidence"]))
            for r in sd.stance_rows() if r["doc_id"] == known and r["claim_id"] in wanted
        )
        return Annotations(doc.doc_id, ents, tmx, sts)

    def config(self) -> dict[str, str]:
        return {"source": "synthetic"}


class CapitalisedExtractor:
    """Every capitalised word is a PERSON; every claim is unrelated.  Entities + stance only."""

    name = "capitalised"
    version = "0.1"
    tasks = frozenset({"entities", "stance"})
    label_scheme = "ontonotes"
    label_map: dict[str, str] = {}

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        ents = tuple(Entity(m.start(), m.end(), "PERSON", m.group()) for m in re.finditer(r"\b[A-Z][a-z]+\b", doc.text))
        return Annotations(doc.doc_id, ents, None, tuple(Stance(c.claim_id, "unrelated") for c in claims))

    def config(self) -> dict[str, str]:
        return {}


class WrongDocExtractor(PerfectExtractor):
    """Returns predictions under another document id (a broken extractor)."""

    name = "wrong-doc"

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        return Annotations(doc.doc_id + "x", (), (), ())


class NotAnExtractor:
    """Lacks every attribute of the protocol."""
