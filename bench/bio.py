"""The token/BIO view of entity spans, as used by the `ner` dataset config."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bench.text import sentences, tokenize
from bench.types import Entity


def split_at(tokens: list[tuple[int, int]], cuts: set[int]) -> list[tuple[int, int]]:
    """Split tokens at the given character offsets so every span boundary is a token boundary."""
    out = []
    for s, e in tokens:
        points = [s] + sorted(c for c in cuts if s < c < e) + [e]
        out.extend(zip(points, points[1:]))
    return out


def bio_tags(tokens: Sequence[tuple[int, int]], spans: Sequence[Entity], label: Callable[[str], str]) -> list[str]:
    tags = ["O"] * len(tokens)
    for ent in spans:
        inside = [i for i, (s, e) in enumerate(tokens) if s >= ent.start and e <= ent.end]
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + label(ent.label)
    return tags


def sentence_rows(doc_id: str, text: str, entities: Sequence[Entity]) -> list[dict]:
    """One row per sentence: tokens, offsets and fine/CoNLL BIO tags (strings)."""
    from bench.types import FINE_TO_CONLL

    cuts = {b for e in entities for b in (e.start, e.end)}
    rows = []
    for index, (s_start, s_end) in enumerate(sentences(text)):
        toks = split_at(tokenize(text, s_start, s_end), cuts)
        inside = [e for e in entities if s_start <= e.start and e.end <= s_end]
        rows.append({
            "id": f"{doc_id}-s{index:03d}",
            "doc_id": doc_id,
            "sentence_index": index,
            "start": s_start,
            "end": s_end,
            "tokens": [text[s:e] for s, e in toks],
            "token_starts": [s for s, _ in toks],
            "token_ends": [e for _, e in toks],
            "ner_tags": bio_tags(toks, inside, lambda lab: lab),
            "conll_ner_tags": bio_tags(toks, inside, lambda lab: FINE_TO_CONLL[lab]),
        })
    return rows
