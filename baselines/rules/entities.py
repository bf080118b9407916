"""Named entities from capitalisation, titles, head nouns and a gazetteer.

1. Tokens are grouped into chunks: runs of capitalised words joined by single
   spaces, allowing lower-case connectors inside ("Bank of England", "Osama bin
   Laden").  A possessive 's ends a chunk (and stays outside) unless the word is a
   common plural like "Women's Institute"; sentence-initial common words, capitalised
   function words, months, weekdays and bracketed editorial notes are skipped.
2. Each chunk is segmented and labelled: whole-chunk gazetteer match; hyphenated
   place compounds split ("Ethiopia-Eritrea"); titles split off and dropped
   ("Finnish Prime Minister Anna Virtanen" -> NORP + PERSON); a head noun gives the
   label ("... Commission" ORG, "... Treaty" LAW, "World War II" EVENT); a leading
   nationality or country splits off; all-caps acronyms are ORG; other multiword
   names are PERSON.
3. Single unknown words are resolved per document: PERSON if they repeat a word of
   a PERSON name, GPE after "in"/"near", PERSON for "the <Name>s" (a family), else ORG.
Span conventions follow docs/guidelines.md: leading "the", titles, possessive 's and
lower-case designators ("<Name> region") stay outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from baselines.rules import gazetteer as gz
from baselines.rules.overlap import longest_first
from baselines.rules.words import (
    COMMON_ACRONYMS, COMMON_SUFFIXES, CONNECTORS, DOTTED_TITLES, EVENT_HEADS, FAC_HEADS, GPE_HEADS, INTERNAL_POSSESSIVE,
    LAW_HEADS, LOC_HEADS, MONTHS, NAME_PARTICLES, ORG_HEADS, ORG_ONLY_CONNECTORS, ROMAN_NUMERALS,
    STOPWORDS, SUBJECT_FOLLOWERS, TITLES, WEEKDAYS, WORK_HEADS,
)
from bench.text import sentences

APOSTROPHES = "'’ʼ"
_WORD = re.compile(r"(?<!\d)(?:(?:[A-Z]\.){2,}|[^\W\d_ʼ][^\W_ʼ]*(?:[-'’ʼ][^\W_ʼ]+)*)")
_BRACKETED = re.compile(r"\[[^\]\n]*\]")
_LABEL_WORD = re.compile(r"[ \t]*:")  # "Photo:", "Published:" at a line start
_ARTICLE = re.compile(r"\bArticles?\s+\d+[a-z]?(?:\(\d+\))?")
# An ordinal-led event name with at least one capitalised word, the quoted part kept:
# '3rd Annual "peace summit"', '12th International Congress'.
_ORDINAL_EVENT = re.compile(
    r"\b\d+(?:st|nd|rd|th)\s+(?:[A-Z][\w-]*\s+)+[\"“]?[A-Za-z][\w -]{0,40}?"
    r"(?:[Cc]onference|[Ss]ummit|[Ff]orum|[Cc]ongress|[Ff]estival|[Gg]ames|[Oo]lympics)[\"”]?(?!\w)"
)
_SPLIT_AT = ("of", "for", "on")
_DOTTED_SUFFIXES = frozenset({"Inc", "Corp", "Ltd", "Co", "Bros"})
_GPE_CUE = re.compile(r"(?:\b(?:in|near|outside|city of|town of|village of)\s+)\Z", re.IGNORECASE)
_FAMILY_CUE = re.compile(r"\b[Tt]he\s+\Z")
UNKNOWN = "?"  # provisional label of a single unknown word, resolved per document


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(slots=True)
class _Tok:
    start: int
    end: int  # possessive 's excluded
    text: str
    capital: bool
    possessive: bool = False  # an 's (or plural ') follows and ends the name here
    initial: bool = False  # first word of a sentence


def _tokens(text: str) -> list[_Tok]:
    starts = [s for s, _e in sentences(text)]
    bracketed = [(m.start(), m.end()) for m in _BRACKETED.finditer(text)]
    out: list[_Tok] = []
    si = bi = 0
    for m in _WORD.finditer(text):
        s, e, w = m.start(), m.end(), m[0]
        while bi < len(bracketed) and bracketed[bi][1] <= s:  # brackets come in text order
            bi += 1
        if bi < len(bracketed) and bracketed[bi][0] <= s:
            continue
        poss = False
        if len(w) > 2 and w[-2] in APOSTROPHES and w[-1] == "s":
            e, w, poss = e - 2, w[:-2], True
        elif w.endswith("s") and e < len(text) and text[e] in APOSTROPHES and not text[e + 1:e + 2].isalnum():
            poss = True
        while si + 1 < len(starts) and starts[si + 1] <= s:
            si += 1
        initial = bool(starts) and starts[si] <= s and not re.search(r"[^\s\"“‘'(\[]", text[starts[si]:s])
        out.append(_Tok(s, e, w, w[0].isupper(), poss, initial))
    return out


def _is_title(word: str) -> bool:
    return word.rstrip(".") in TITLES


def _joinable(text: str, prev: _Tok, tok: _Tok) -> bool:
    gap = text[prev.end:tok.start]
    if prev.possessive:
        # only an internal possessive ("Women's Institute", "Farmers' Union") keeps going
        return prev.text.lower() in INTERNAL_POSSESSIVE and re.fullmatch(r"(?:['’ʼ]s|['’ʼ]) ", gap) is not None
    if gap == " " or gap == "\u00a0":
        return True
    dotted = prev.text in DOTTED_TITLES or re.fullmatch(r"[A-Z]", prev.text)
    return gap == ". " and bool(dotted)


def _name_word(tok: _Tok, text: str, lower_words: set[str]) -> bool:
    """Can this capitalised token be part of a name?"""
    w = tok.text
    if w.rstrip(".") in MONTHS or w in WEEKDAYS or w in COMMON_ACRONYMS:
        return False
    if w.lower() in STOPWORDS and gz.lookup(w) is None:
        return False
    if tok.initial:
        line_start = not text[text.rfind("\n", 0, tok.start) + 1:tok.start].strip()
        if line_start and _LABEL_WORD.match(text, tok.end):
            return False
        if gz.lookup(w) is None and not w.isupper():
            if w.lower() in lower_words or (w.endswith(COMMON_SUFFIXES) and len(w) > 5):
                return False
    return True


def _chunks(text: str, toks: list[_Tok]) -> list[list[_Tok]]:
    lower_words = {t.text for t in toks if not t.capital}
    chunks: list[list[_Tok]] = []
    cur: list[_Tok] = []
    pending: list[_Tok] = []  # connectors waiting for the next capitalised word

    def close() -> None:
        nonlocal cur, pending
        if cur:
            chunks.append(cur)
        cur, pending = [], []

    for tok in toks:
        if not tok.capital:
            prev = pending[-1] if pending else (cur[-1] if cur else None)
            ok = (prev is not None and tok.text in CONNECTORS and not prev.possessive
                  and text[prev.end:tok.start] == " ")
            if ok and tok.text == "the":
                ok = bool(pending) and pending[-1].text == "of"
            if ok and tok.text in ORG_ONLY_CONNECTORS:
                # "Securities and Exchange Commission" joins; without an organisation head
                # the chunk is split at "and" again in _segment ("Spain and Portugal").
                ok = not pending and (cur[-1].text in ORG_HEADS or tok.text == "and")
            if ok:
                pending.append(tok)
            else:
                close()
            continue
        if (tok.text in ROMAN_NUMERALS and cur and not pending and _joinable(text, cur[-1], tok)
                and (tok.text != "I" or cur[-1].text in EVENT_HEADS)):
            cur.append(tok)
            continue
        if not _name_word(tok, text, lower_words):
            close()
            continue
        prev = pending[-1] if pending else (cur[-1] if cur else None)
        if prev is not None and (_joinable(text, prev, tok) if not pending else text[prev.end:tok.start] == " "):
            cur.extend(pending)
            cur.append(tok)
            pending = []
        else:
            close()
            cur = [tok]
        if tok.possessive and tok.text.lower() not in INTERNAL_POSSESSIVE:
            close()
    close()
    return chunks


def _head_label(words: list[str]) -> str | None:
    """Label given by the head noun: the last word before 'of'/'for'/'on', else the last word."""
    cut = next((i for i, w in enumerate(words) if w in _SPLIT_AT and i > 0), len(words))
    k = cut - 1
    while k > 0 and words[k] in ROMAN_NUMERALS:
        k -= 1
    head = words[k].rstrip(".")
    if k < cut - 1 and head in EVENT_HEADS:  # "World War II"
        return "EVENT"
    for heads, label in ((ORG_HEADS, "ORG"), (LAW_HEADS, "LAW"), (EVENT_HEADS, "EVENT"), (GPE_HEADS, "GPE"),
                         (FAC_HEADS, "FAC"), (LOC_HEADS, "LOC"), (WORK_HEADS, "WORK_OF_ART")):
        if head in heads:
            return label
    return None


def _strip_connectors(toks: list[_Tok]) -> list[_Tok]:
    while toks and not toks[0].capital:
        toks = toks[1:]
    while toks and not toks[-1].capital:
        toks = toks[:-1]
    return toks


def _place_prefix(name: str) -> str | None:
    """Label of a leading word group that may split off: a nationality or a country."""
    label = gz.lookup(name)
    if label == "NORP" or (label in ("GPE", "LOC") and gz.is_country_or_region(name)):
        return label
    return None


def _segment(text: str, toks: list[_Tok]) -> list[Span]:
    toks = _strip_connectors(toks)
    if not toks:
        return []
    name = text[toks[0].start:toks[-1].end]
    words = [t.text for t in toks]
    n = len(toks)
    label = gz.lookup(name) or _dateline_place(name)
    if label:
        return [Span(toks[0].start, toks[-1].end, label)]
    if n == 1 and "-" in name:
        parts = [(m.start(), m.end()) for m in re.finditer(r"[^-]+", name)]
        labels = [gz.lookup(name[a:b]) for a, b in parts]
        if len(parts) > 1 and all(labels):
            return [Span(toks[0].start + a, toks[0].start + b, lab) for (a, b), lab in zip(parts, labels)]
    if "and" in words and _head_label(words) is None:
        k = words.index("and")
        return _segment(text, toks[:k]) + _segment(text, toks[k + 1:])
    # A title followed by a name: the title is dropped, what precedes it is segmented on its own.
    for i in range(n - 2, -1, -1):
        if not _is_title(words[i]):
            continue
        tail = toks[i + 1:]
        if _is_title(tail[0].text) or not tail[0].capital or _head_label([t.text for t in tail]):
            continue
        j = i
        while j > 0 and (_is_title(words[j - 1]) or words[j - 1] in _SPLIT_AT or words[j - 1] == "the"):
            j -= 1
        # "President Jane Doe of Chile": the person ends before "of"
        cut = next((k for k, t in enumerate(tail) if t.text in _SPLIT_AT), len(tail))
        name_toks = _strip_connectors(tail[:cut])
        s, e = name_toks[0].start, name_toks[-1].end
        person = [Span(s, e, gz.lookup(text[s:e]) or "PERSON")]
        return _segment(text, toks[:j]) + person + _segment(text, tail[cut + 1:])
    # Titles with no name after them ("Prime Minister") are not entities, unless a head
    # noun before "of" makes the chunk an organisation ("Ministry of Defence").
    if _is_title(words[-1]) and _head_label(words) is None:
        j = n - 1
        while j > 0 and (_is_title(words[j - 1]) or not toks[j - 1].capital):
            j -= 1
        return _segment(text, toks[:j])
    if _is_title(words[0]) and n > 2 and words[1] in _SPLIT_AT:  # "Chief of the General Staff ..."
        return _segment(text, toks[2:])
    # An organisation name followed by a person's name ("... Armed Forces Jane Doe").
    last_head = max((k for k, w in enumerate(words) if _head_label([w]) == "ORG"), default=None)
    if last_head is not None and 2 <= n - 1 - last_head <= 3 and all(t.capital for t in toks[last_head + 1:]):
        return _segment(text, toks[:last_head + 1]) + [Span(toks[last_head + 1].start, toks[-1].end, "PERSON")]
    head = _head_label(words)
    if head:
        return [Span(toks[0].start, toks[-1].end, head)]
    for k in range(n - 1, 0, -1):
        if toks[k].capital and (lab := _place_prefix(text[toks[0].start:toks[k - 1].end])):
            return [Span(toks[0].start, toks[k - 1].end, lab)] + _segment(text, toks[k:])
    return _segment_name(text, toks)


def _dateline_place(name: str) -> str | None:
    """An all-caps place name as in datelines ("NAIROBI"); short ones stay acronyms."""
    if name.isupper() and len(name) >= 4 and gz.lookup(name.title()) == "GPE":
        return "GPE"
    return None


def _segment_name(text: str, toks: list[_Tok]) -> list[Span]:
    """Label a chunk that has no title, head noun or place prefix."""
    toks = _strip_connectors(toks)
    if not toks:
        return []
    s, e = toks[0].start, toks[-1].end
    words = [t.text for t in toks]
    if len(toks) == 1:
        return [Span(s, e, gz.lookup(words[0]) or ("ORG" if re.fullmatch(r"[A-Z]{2,6}", words[0]) else UNKNOWN))]
    if any(w in _SPLIT_AT for w in words):
        return [Span(s, e, "ORG")]
    if len(toks) <= 3 or any(w in NAME_PARTICLES for w in words[1:-1]) and len(toks) <= 6:
        return [Span(s, e, "PERSON")]
    return [Span(s, e, "ORG")]


def _resolve_unknown(text: str, spans: list[Span], toks_by_start: dict[int, _Tok]) -> list[Span]:
    person_words = {w for sp in spans if sp.label == "PERSON" and " " in text[sp.start:sp.end]
                    for w in re.split(r"[\s-]+", text[sp.start:sp.end]) if w[:1].isupper()}
    capitalised_later = {t.text for t in toks_by_start.values() if t.capital and not t.initial}
    out = []
    for sp in spans:
        if sp.label != UNKNOWN:
            out.append(sp)
            continue
        word = text[sp.start:sp.end]
        before = text[max(0, sp.start - 20):sp.start]
        tok = toks_by_start[sp.start]
        follower = re.match(r"\s+([a-z]+)", text[sp.end:sp.end + 20])
        if word in person_words:
            out.append(Span(sp.start, sp.end, "PERSON"))
        elif (tok.initial and word not in capitalised_later
              and not (follower and follower[1] in SUBJECT_FOLLOWERS)):
            continue  # a sentence-initial common word ("Start your day ...")
        elif _GPE_CUE.search(before):
            out.append(Span(sp.start, sp.end, "GPE"))
        elif _FAMILY_CUE.search(before) and word.endswith("s") and not word.isupper():
            out.append(Span(sp.start, sp.end, "PERSON"))
        else:
            out.append(Span(sp.start, sp.end, "ORG"))
    return out


def _resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the longest spans (then the earliest) so that none overlap."""
    chosen = longest_first(spans, lambda x: x.start, lambda x: x.end, lambda x: (x.start - x.end, x.start, x.label))
    return sorted(chosen, key=lambda x: (x.start, x.end))


def _articles(text: str, spans: list[Span]) -> list[Span]:
    """'Article 4' is a LAW; with 'of (the) <named law>' after it, the whole phrase is."""
    by_start = {sp.start: sp for sp in spans if sp.label == "LAW"}
    out = []
    for m in _ARTICLE.finditer(text):
        end = m.end()
        link = re.match(r"\s+of\s+(?:the\s+)?", text[end:])
        if link and (law := by_start.get(end + link.end())):
            end = law.end
        out.append(Span(m.start(), end, "LAW"))
    return out


def _with_abbreviation_dot(text: str, sp: Span) -> Span:
    """'Acme Inc.' keeps the full stop of a company abbreviation."""
    last = re.search(r"\w+\Z", text[sp.start:sp.end])
    if last and last[0] in _DOTTED_SUFFIXES and text[sp.end:sp.end + 1] == ".":
        return Span(sp.start, sp.end + 1, sp.label)
    return sp


def find_entities(text: str) -> list[Span]:
    """Non-overlapping entity spans sorted by start."""
    toks = _tokens(text)
    spans: list[Span] = []
    for chunk in _chunks(text, toks):
        spans.extend(_with_abbreviation_dot(text, sp) for sp in _segment(text, chunk))
    spans = _resolve_unknown(text, spans, {t.start: t for t in toks})
    extra = _articles(text, spans) + [Span(m.start(), m.end(), "EVENT") for m in _ORDINAL_EVENT.finditer(text)]
    return _resolve_overlaps(spans + extra)
