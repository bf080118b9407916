"""Frozen value types shared by gold data, predictions, scoring and results.

Offsets are Python string indices (code points) into the exact document text,
end exclusive.  The same classes hold gold and pred: only the role differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Fine-grained entity labels: OntoNotes 5 minus the numeric classes.
ENTITY_LABELS: tuple[str, ...] = (
    "PERSON", "NORP", "FAC", "ORG", "GPE", "LOC",
    "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE",
)
CONLL_LABELS: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")
FINE_TO_CONLL: dict[str, str] = {
    "PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "PRODUCT": "MISC", "EVENT": "MISC", "WORK_OF_ART": "MISC",
    "LAW": "MISC", "LANGUAGE": "MISC",
}
TIMEX_TYPES: tuple[str, ...] = ("DATE", "TIME", "DURATION", "SET")
STANCE_LABELS: tuple[str, ...] = ("support", "refute", "discuss", "unrelated")
POLARITIES: tuple[str, ...] = ("asserts", "denies", "doubts")
AUTHOR = "author"  # evidence holder for the article's own voice


@dataclass(frozen=True, slots=True, order=True)
class Entity:
    start: int
    end: int
    label: str
    text: str
    entity_id: str | None = None


@dataclass(frozen=True, slots=True, order=True)
class Timex:
    start: int
    end: int
    type: str
    value: str
    text: str


@dataclass(frozen=True, slots=True, order=True)
class Evidence:
    start: int
    end: int
    holder: str
    polarity: str
    text: str


@dataclass(frozen=True, slots=True)
class Stance:
    claim_id: str
    label: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Document:
    """What an extractor sees: id, exact text and document creation time (ISO date or None)."""

    doc_id: str
    text: str
    dct: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    doc_id: str
    file: str
    sha256: str
    outlet: str | None
    dct: str | None
    dct_source: str


@dataclass(frozen=True, slots=True)
class Annotations:
    """All layers for one document, gold or pred.  A layer is None when not produced."""

    doc_id: str
    entities: tuple[Entity, ...] | None = ()
    timexes: tuple[Timex, ...] | None = ()
    stances: tuple[Stance, ...] | None = ()


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class GoldCorpus:
    documents: tuple[Document, ...]
    gold: tuple[Annotations, ...]
    claims: tuple[Claim, ...]
    fingerprint: str
    meta: tuple[DocumentMeta, ...] = field(default=())

    def by_id(self) -> dict[str, Document]:
        return {d.doc_id: d for d in self.documents}
