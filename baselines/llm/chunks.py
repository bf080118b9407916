"""Long documents in pieces: whole sentences packed under a token budget.

Sentences come from ``bench.text.sentences`` (the benchmark's own documented
segmentation).  They are packed greedily, in order, into chunks whose estimated size
stays within ``budget`` tokens; a single sentence over the budget is a chunk of its
own (it is never cut).  A chunk is the exact slice ``text[start:end]`` from its first
sentence's start to its last sentence's end, so a span found at offset ``i`` of the
chunk is at ``start + i`` in the document.  A document within the budget is one chunk.

Tokens are estimated, not counted: ``ceil(characters / 4)``, the usual rule of thumb
for English under GPT-style tokenizers.  A real tokenizer would tie the harness to one
model family (and some download their vocabularies at run time); the estimate only
decides where to cut, and it is the same for every model.
"""

from __future__ import annotations

import math

from bench.text import sentences

CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def chunks(text: str, budget: int) -> list[tuple[int, int]]:
    """(start, end) of each chunk; [(0, len(text))] when the whole text fits (or has no sentence)."""
    if estimate_tokens(text) <= budget:
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    start = end = None
    for s, e in sentences(text):
        if start is not None and estimate_tokens(text[start:e]) > budget:
            out.append((start, end))
            start = None
        if start is None:
            start = s
        end = e
    if start is not None:
        out.append((start, end))
    return out or [(0, len(text))]
