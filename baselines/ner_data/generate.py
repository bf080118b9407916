"""Render templates into labelled examples (text + character spans)."""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from baselines.ner_data.fillers import FILLERS, Segments
from baselines.ner_data.gazetteers import Gazetteer, build
from baselines.ner_data.templates import TEMPLATES

_SLOT = re.compile(r"\{(\w+)(?:\|(\w+))?\}|\[([^\[\]]*)\]")
# Templates with slots for the rarer labels are drawn more often.
_RARE_SLOTS = frozenset({"LOC", "FAC", "PRODUCT", "EVENT", "WORK", "LAW", "LANG"})
_WEIGHTS = tuple(
    1 + sum(m.group(1) in _RARE_SLOTS for m in _SLOT.finditer(t)) for t in TEMPLATES
)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end, label), sorted
    # (start, end) stretches left out of the loss (silver data: words whose label is disputed)
    ignore: tuple[tuple[int, int], ...] = ()


def _possessive(name: str, rng: random.Random) -> str:
    if name.endswith("s"):
        return rng.choice(("'", "’", "'s"))
    return rng.choice(("'s", "'s", "’s", "ʼs"))


def render(template: str, rng: random.Random, gaz: Gazetteer) -> Segments:
    segments: Segments = []
    pos = 0
    for m in _SLOT.finditer(template):
        segments.append((template[pos:m.start()], None))
        if m.group(1):
            filled = FILLERS[m.group(1)](rng, gaz)
            segments.extend(filled)
            if m.group(2) == "poss":
                segments.append((_possessive(filled[-1][0], rng), None))
        else:
            segments.append((rng.choice(m.group(3).split("|")), None))
        pos = m.end()
    segments.append((template[pos:], None))
    return segments


def assemble(sentences: list[Segments], sep: str) -> Example:
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    offset = 0
    for i, segments in enumerate(sentences):
        if i:
            text_parts.append(sep)
            offset += len(sep)
        first = True
        for seg_text, label in segments:
            if not seg_text:
                continue
            if first and seg_text[0].islower():
                seg_text = seg_text[0].upper() + seg_text[1:]  # sentence-initial capital
            first = False
            if label:
                spans.append((offset, offset + len(seg_text), label))
            text_parts.append(seg_text)
            offset += len(seg_text)
    return Example("".join(text_parts), tuple(spans))


def generate(n: int, seed: int, gaz: Gazetteer | None = None) -> list[Example]:
    """n examples of 1-3 sentences each; same (n, seed, package versions) -> same list."""
    rng = random.Random(seed)
    gaz = gaz or build(seed)
    out: list[Example] = []
    while len(out) < n:
        k = rng.choices((1, 2, 3), weights=(55, 30, 15))[0]
        sentences = [render(t, rng, gaz) for t in rng.choices(TEMPLATES, weights=_WEIGHTS, k=k)]
        # No filtering against the benchmark's names: the baseline carries no list of
        # them; a gazetteer city that happens to occur there is ordinary world knowledge.
        out.append(assemble(sentences, rng.choice((" ", " ", "\n", "\n\n"))))
    return out


def stats(examples: list[Example]) -> dict[str, int]:
    counts = Counter(label for ex in examples for *_, label in ex.spans)
    return {
        "examples": len(examples),
        "characters": sum(len(ex.text) for ex in examples),
        "spans": sum(counts.values()),
        **{f"spans_{label}": counts[label] for label in sorted(counts)},
    }
