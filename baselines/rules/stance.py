"""Claim stance from content-word overlap between the claim and each sentence.

A sentence sharing enough of the claim's content stems is evidence.  Its holder is
the named source in a reporting frame ("X said", "according to X", "said X"),
found among the document's rule-based entities, else ``author``; its polarity comes
from the cue words in ``baselines.cues``.  The document label follows from the
polarities: no evidence -> unrelated; only denials -> refute; any doubt, or
assertions and denials together -> discuss; else support.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Sequence
from operator import attrgetter

from baselines.cues import REPORTING_RE, polarity
from baselines.rules.words import STOPWORDS
from bench.text import sentences
from bench.types import AUTHOR, Claim, Entity, Evidence, Stance

_start = attrgetter("start")

# A sentence is evidence when it contains at least this share of the claim's content
# stems (and at least MIN_SHARED of them).  Half keeps paraphrases that reuse the key
# nouns and verbs while dropping sentences that only share a name or two.
OVERLAP_THRESHOLD = 0.5
MIN_SHARED = 2
# Stems are cut to this many letters after suffix stripping, so that derived forms
# meet ("deployed"/"deployment", "Ukraine"/"Ukrainian").
STEM_LENGTH = 5
HOLDER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})

_WORD = re.compile(r"[^\W_]+(?:['’ʼ-][^\W_]+)*")
_SUFFIXES = (("ies", "y"), ("ation", ""), ("ment", ""), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""))
_SUBJECT_GAP = re.compile(
    r"(?:['’ʼ]s(?:\s+[a-z-]+){1,2})?"  # "Ukraine's military said"
    r"(?:\s+(?:has|have|had|was|were|is|are|also|officially|publicly|further|then|later|again|"
    r"reportedly|recently|earlier|previously|once|on\s+[A-Z][a-z]+))*\s*"
)
_ACCORDING_TO = re.compile(r"according\s+to\s+(?:the\s+)?\Z", re.IGNORECASE)
_AFTER_VERB = re.compile(r"\s+(?:the\s+)?")  # inverted frame: "..., said the ministry"


def stem(word: str) -> str:
    """Lower-case, strip one common suffix and a possessive, cut to STEM_LENGTH letters."""
    w = re.sub(r"['’ʼ]s?$", "", word.lower())
    for suffix, replacement in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + replacement
            break
    return w[:STEM_LENGTH]


def content_stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS and not w.isdigit()}


def slug(name: str) -> str:
    """'State Department' -> 'state-department' (ASCII, lower case, non-alphanumerics to '-')."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or AUTHOR


def holder(text: str, start: int, end: int, entities: Sequence[Entity]) -> str:
    """Slug of the source in the first reporting frame of text[start:end], else 'author'.
    ``entities`` sorted by start (as extractors give them): only those starting inside the
    sentence are looked at, so a long document costs no more per sentence."""
    lo, hi = bisect_left(entities, start, key=_start), bisect_left(entities, end, key=_start)
    inside = [e for e in entities[lo:hi] if e.end <= end and e.label in HOLDER_LABELS]
    for m in REPORTING_RE.finditer(text, start, end):
        subjects = [e for e in inside if e.end <= m.start() and _SUBJECT_GAP.fullmatch(text[e.end:m.start()])]
        objects = [e for e in inside if e.start >= m.end() and _AFTER_VERB.fullmatch(text[m.end():e.start])]
        if subjects:
            return slug(_np_head(text, inside, subjects[-1]).text)
        if objects:
            return slug(objects[0].text)
    for e in inside:
        if _ACCORDING_TO.search(text[max(start, e.start - 20):e.start]):
            return slug(e.text)
    return AUTHOR


def _np_head(text: str, entities: Sequence[Entity], ent: Entity) -> Entity:
    """'the Council of the ruling Party' -> the Council: walk back over 'of (the) (word)' links."""
    while True:
        prev = [e for e in entities if e.end <= ent.start
                and re.fullmatch(r"\s+of\s+(?:the\s+)?(?:[a-z]+\s+)?", text[e.end:ent.start])]
        if not prev:
            return ent
        ent = prev[-1]


def label_from(polarities: Sequence[str]) -> str:
    found = set(polarities)
    if not found:
        return "unrelated"
    if "doubts" in found or {"asserts", "denies"} <= found:
        return "discuss"
    if found == {"denies"}:
        return "refute"
    return "support"


def stance(claim: Claim, text: str, entities: Sequence[Entity]) -> Stance:
    return stances([claim], text, entities)[0]


def stances(claims: Sequence[Claim], text: str, entities: Sequence[Entity]) -> list[Stance]:
    """One stance per claim; each sentence is split into stems once, not once per claim."""
    entities = sorted(entities, key=_start)
    sents = [(s, e, content_stems(text[s:e])) for s, e in sentences(text)]
    out = []
    for claim in claims:
        claim_stems = content_stems(claim.text)
        evidence = []
        for s, e, stems in sents:
            shared = claim_stems & stems
            if claim_stems and len(shared) >= MIN_SHARED and len(shared) / len(claim_stems) >= OVERLAP_THRESHOLD:
                evidence.append(Evidence(s, e, holder(text, s, e, entities), polarity(text[s:e]), text[s:e]))
        out.append(Stance(claim.claim_id, label_from([ev.polarity for ev in evidence]), tuple(evidence)))
    return out
