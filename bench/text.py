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


_RUN_TAIL = re.compile(r"(?:[^\W_]|\.)*\Z")  # letters, digits (str.isalnum) and dots up to endpos
_LONGEST = max(map(len, _ABBREV))


def _is_abbreviation(text: str, dot: int) -> bool:
    """Is the run of letters, digits and dots before ``dot`` a known abbreviation or a
    single initial?  Only the last few characters are looked at: a longer run is neither."""
    window = max(0, dot - _LONGEST - 1)
    j = _RUN_TAIL.search(text, window, dot).start()  # always matches (the empty run at dot)
    if j == window and j > 0:
        return False  # the run fills the window: longer than any abbreviation
    word = text[j:dot]
    return word in _ABBREV or (len(word) == 1 and word.isupper())


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of sentences, stripped of surrounding whitespace, never empty."""
    out: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        s, end = line.span()
        for m in _BOUNDARY.finditer(text, s, end):
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            _add_stripped(out, text, s, m.end())
            s = m.end()
        _add_stripped(out, text, s, end)
    return out


def _add_stripped(out: list, text: str, s: int, e: int) -> None:
    piece = text[s:e]
    core = piece.strip()  # str.strip and str.isspace agree on what whitespace is
    if core:
        a = s + len(piece) - len(piece.lstrip())
        out.append((a, a + len(core)))
