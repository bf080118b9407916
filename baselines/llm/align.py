"""From the strings a model returns to exact code-point offsets: one deterministic rule.

A model answers with surface strings (``text``, or an evidence ``quote``) and,
optionally, ``context``: the string with a few words around it, copied from the text.
The items of one answer (one task, one chunk of one document; for stance, one claim's
evidence) are placed in the order the model listed them:

1. *Occurrences*: every match of the string in the text, left to right, not
   overlapping.  Matching is exact on code points with one tolerance, because models
   re-type these characters: a run of whitespace matches any run of whitespace, and
   the variants of a single quote (' ‘ ’ ‛ ʼ ′), of a double quote (" “ ” „ « » ″) and
   of a dash (- ‐ ‑ ‒ – — −) match each other.  Nothing else is normalised (no case
   folding, no Unicode normalisation).  Leading and trailing whitespace of the
   returned string is dropped; an empty string is an invalid item.
2. *Context first*: when ``context`` is given and the string occurs inside a match of
   it, the candidates are those occurrences only; otherwise the context is ignored
   (counted as ``context_ignored``) and the candidates are all occurrences.
3. *Then in order*: the item takes the first candidate that no earlier item of the
   same answer took.  So a string listed twice takes its first two (context-matching)
   occurrences; a mention repeated in the text but listed once is predicted once,
   at its first occurrence (the prompts ask for every occurrence; the other
   occurrences are not filled in).
4. No candidate left (the string is not in the text, or is listed more often than it
   occurs): the item is *unaligned*, counted, and predicts nothing.

The span is the matched slice of the document, so its ``text`` always equals
``document[start:end]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

ALIGNMENT = "align-v1"  # stamped on results: bump when the rule above changes
_EQUIVALENT = ("'‘’‛ʼ′", '"“”„«»″', "-‐‑‒–—−")
_CLASS = {ch: "[" + re.escape(group) + "]" for group in _EQUIVALENT for ch in group}


@lru_cache(maxsize=4096)
def pattern(surface: str) -> re.Pattern[str]:
    """The tolerant pattern of a returned string (see the module docstring, step 1)."""
    parts, in_space = [], False
    for ch in surface.strip():
        if ch.isspace():
            if not in_space:
                parts.append(r"\s+")
            in_space = True
            continue
        in_space = False
        parts.append(_CLASS.get(ch) or re.escape(ch))
    return re.compile("".join(parts))


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    if not surface.strip():
        return []
    return [(m.start(), m.end()) for m in pattern(surface).finditer(text)]


@dataclass(frozen=True)
class Placed:
    span: tuple[int, int] | None  # None: unaligned
    context_ignored: bool = False


def place(text: str, items: Iterable[tuple[str, str | None]]) -> list[Placed]:
    """Spans for (surface, context) pairs in the order given (steps 2-4)."""
    taken: set[tuple[int, int]] = set()
    out = []
    for surface, context in items:
        occ = occurrences(text, surface)
        candidates, ignored = occ, False
        if context and context.strip() and occ:
            windows = occurrences(text, context)
            inside = [o for o in occ if any(a <= o[0] and o[1] <= b for a, b in windows)]
            candidates, ignored = (inside, False) if inside else (occ, True)
        span = next((c for c in candidates if c not in taken), None)
        if span is not None:
            taken.add(span)
        out.append(Placed(span, ignored and span is not None))
    return out
