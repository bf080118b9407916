"""Deterministic sentence and token segmentation (character offsets).

Used for the CoNLL/BIO view, sentence-level bootstrap and baselines.  Rules are
deliberately simple and documented so any user can reproduce them:
tokens are maximal runs of letters/digits or single other non-space characters;
sentences end at line breaks or at . ! ? (plus closing quotes/brackets) followed by
whitespace and an upper-case letter, digit or opening quote, except after a known
abbreviation or a single initial.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"[^\W_]+|\S")
_LINE = re.compile(r"[^\n]+")
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_ABBREV = frozenset(
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mr Mrs Ms Dr Prof Gen Col Lt Sgt "
    "Gov Sen Rep St Jr Sr Inc Corp Co Ltd No vs etc Mt Ft U.S U.K U.N E.U".split()
)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of tokens in text[start:end]."""
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


def _is_abbreviation(text: str, dot: int) -> bool:
    j = dot
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot]
    return word in _ABBREV or (len(word) == 1 and word.isupper())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences, stripped of surrounding whitespace, never empty."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        s = line.start()
        for m in _BOUNDARY.finditer(text, line.start(), line.end()):
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            spans.append((s, m.end()))
            s = m.end()
        spans.append((s, line.end()))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out
