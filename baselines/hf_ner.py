"""Hugging Face token-classification baselines: any model by hub id or local path.

``HFTokenClassificationExtractor`` (``bench evaluate --model hf:<model>``) runs a
token-classification model over whole documents: the text is tokenized once
with offsets and cut into overlapping windows (``stride`` tokens of overlap);
every token takes its prediction from the window where it is most central, so
long documents read like short ones.  Word labels come from each word's first
sub-token, BIO (also IO/BIOES) tags are decoded tolerantly (an I- without a B-
opens a span) and spans are trimmed to the gold conventions of
docs/guidelines.md (no leading "the", no possessive, no surrounding whitespace,
punctuation or unbalanced quotes).

The model's label set decides ``label_scheme``: OntoNotes-like labels
(PERSON/NORP/GPE/...) are scored as fine labels, PER/ORG/LOC/MISC on the CoNLL
view.  Numeric OntoNotes labels are dropped; DATE/TIME spans become TIMEX3 via
``baselines.timex_normalize.normalize`` (spans it cannot normalise are skipped).

``MiniLMNERExtractor`` (registered as ``minilm-ner``) is the default offline
model: MiniLM-L6 with word-shape embeddings (``baselines.minilm_model``) fine-tuned
by ``baselines.train_ner`` (trained into a cache dir on first use) plus embedding
stance from ``baselines.stance_embed``.  ``ShapeModelExtractor`` runs that network
with this module's windows, decoding and trimming; only loading and the extra
shape input differ.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bench.extractors import ExtractorError
from bench.types import CONLL_LABELS, ENTITY_LABELS, Annotations, Claim, Document, Entity, Timex

VERSION = "1.0.0"
NUMERIC_LABELS = frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
TIMEX_LABELS = frozenset({"DATE", "TIME"})
# Labels that only OntoNotes-style models have (PERSON/ORG/LOC are shared with others).
_ONTONOTES_ONLY = frozenset({"NORP", "FAC", "GPE", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"})
_CONLL_ALIASES = {
    "PER": "PER", "PERS": "PER", "PERSON": "PER", "ORG": "ORG", "ORGANIZATION": "ORG",
    "ORGANISATION": "ORG", "LOC": "LOC", "LOCATION": "LOC", "MISC": "MISC",
}
_TAG = re.compile(r"^([BIESLU])[-_](.+)$")
_DROP_VALUES = frozenset({"", "O"})


# -- labels --------------------------------------------------------------------------

def split_tag(tag: str) -> tuple[str, str]:
    """("B"|"I"|"O", type) for BIO, BIOES/BILOU and bare IO tags ("PER" -> ("I", "PER"))."""
    if tag in ("O", "0", ""):
        return "O", ""
    m = _TAG.match(tag)
    if not m:
        return "I", tag
    return ("B" if m.group(1) in "BSU" else "I"), m.group(2)


@dataclass(frozen=True, slots=True)
class LabelPlan:
    """Where each raw model type goes: an entity label, the timex layer, or nowhere."""

    scheme: str  # "ontonotes" | "conll"
    entity_map: Mapping[str, str]  # raw type -> benchmark label in `scheme`
    timex_map: Mapping[str, str]  # raw type -> "DATE" | "TIME"


def plan_labels(raw_types: Iterable[str], label_map: Mapping[str, str] | None = None) -> LabelPlan:
    """Detect the label scheme of a model and build the raw-type mapping.

    Without ``label_map``: any OntoNotes-only type (NORP, GPE, ...) -> "ontonotes"
    (entity labels kept, DATE/TIME to the timex layer, numeric types dropped);
    else PER/LOC/MISC-style types -> "conll".  With ``label_map`` (raw type ->
    benchmark label, "DATE"/"TIME" for the timex layer, "O" or "" to drop) the
    scheme follows the mapped labels and unmapped types are dropped.
    """
    types = sorted(set(raw_types) - {""})
    if label_map:
        entity = {k: v for k, v in label_map.items() if v not in _DROP_VALUES and v not in TIMEX_LABELS}
        timex = {k: v for k, v in label_map.items() if v in TIMEX_LABELS}
        values = set(entity.values())
        scheme = "conll" if values & (set(CONLL_LABELS) - set(ENTITY_LABELS)) else "ontonotes"
        allowed = set(CONLL_LABELS) if scheme == "conll" else set(ENTITY_LABELS)
        if not values <= allowed:
            raise ExtractorError(
                f"label_map values {sorted(values - allowed)} are not {scheme} labels; "
                f"use {sorted(allowed)}, DATE/TIME, or O to drop"
            )
        return LabelPlan(scheme, entity, timex)
    upper = {t: t.upper() for t in types}
    values = set(upper.values())
    timex = {t: u for t, u in upper.items() if u in TIMEX_LABELS}
    ontonotes_like = bool(values & _ONTONOTES_ONLY) or (
        {"PERSON", "ORG"} <= values and not values & {"PER", "LOC", "LOCATION", "MISC"}
    )
    if ontonotes_like:
        entity = {t: u for t, u in upper.items() if u in ENTITY_LABELS}
        return LabelPlan("ontonotes", entity, timex)
    if values & set(_CONLL_ALIASES):
        entity = {t: _CONLL_ALIASES[u] for t, u in upper.items() if u in _CONLL_ALIASES}
        return LabelPlan("conll", entity, timex)
    raise ExtractorError(
        f"cannot tell the label scheme from the model's labels {types}; "
        "pass label_map (raw label -> benchmark label), e.g. label_map='{\"PERS\": \"PER\"}'"
    )


# -- span trimming --------------------------------------------------------------------

_OPEN_CLOSE = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»"}
_SYMMETRIC_QUOTES = frozenset({'"'})
_EDGE_PUNCT = frozenset(",;:!?*•·|/\\-–—_~")
# A final "." that belongs to the name: initialisms ("U.S.") and common abbreviations.
_ABBREV_END = re.compile(
    r"(?:\b[A-Za-z]\.){2,}$|\b(?:Inc|Corp|Co|Ltd|Jr|Sr|St|Bros|Mt|No|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.$"
)
_POSSESSIVE = re.compile(r"(?:['’ʼ][sS]|(?<=[sS])['’ʼ])$")
_ARTICLE = re.compile(r"(?:the|The|THE)\s+")  # used with .match(text, pos)
_TRAILING_FUNCTION_WORDS = re.compile(r"(?:\s+(?:of|the|and|for|in|on|at|to|by|with|from|a|an))+$")


def _unbalanced(span: str, ch: str) -> bool:
    """Is this quote/bracket at the span edge without its partner inside the span?"""
    if ch in _SYMMETRIC_QUOTES:
        return span.count(ch) % 2 == 1
    for open_, close in _OPEN_CLOSE.items():
        if ch in (open_, close):
            return span.count(open_) != span.count(close)
    return ch in "'’ʼ" and len(span) > 0  # stray apostrophes at the edges


def trim_span(text: str, start: int, end: int, drop_article: bool = True) -> tuple[int, int] | None:
    """Shrink [start, end) to the gold conventions; None when nothing is left."""
    while True:
        before = (start, end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end - start > 1 and _OPEN_CLOSE.get(text[start], text[start]) == text[end - 1] and (
            text[start] in _OPEN_CLOSE or text[start] in _SYMMETRIC_QUOTES
        ):  # a span wrapped in quotes/brackets: the wrapper is outside
            start, end = start + 1, end - 1
            continue
        if start < end and (text[start] in _EDGE_PUNCT or text[start] == "."
                            or _unbalanced(text[start:end], text[start])):
            start += 1
        if start < end:
            last = text[end - 1]
            span = text[start:end]
            if last in _EDGE_PUNCT or (last != "'" and last != "’" and last != "ʼ" and _unbalanced(span, last)):
                end -= 1
            elif last == "." and not _ABBREV_END.search(span):
                end -= 1
            else:
                m = _POSSESSIVE.search(span)
                if m and m.start() > 0:
                    end -= len(m.group())
                elif last in "'’ʼ":
                    end -= 1
        if drop_article and start < end:
            m = _ARTICLE.match(text, start, end)
            if m and m.end() < end:
                start = m.end()
        if (start, end) == before:
            return (start, end) if start < end else None


# -- windowed inference ----------------------------------------------------------------

_DOCS_PER_CALL = 64  # documents whose windows are planned and held at once by extract_batch


@dataclass(frozen=True)
class _Windows:
    """A text cut into the model's overlapping windows: the tokenizer output, each
    window's content positions and first global token index, and per global token its
    offsets and word id; ``cache`` holds what a subclass derives from the whole text."""

    text: str
    enc: object
    content: list[list[int]]
    starts: list[int]
    offsets: list[tuple[int, int] | None]
    words: list[int | None]
    cache: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class TokenPrediction:
    start: int  # char offsets of the (sub-)token
    end: int
    word: int  # word index from the tokenizer's pre-tokenization
    label_id: int  # argmax from the window where this token is most central
    window: int


def _to_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _to_label_map(value: object) -> dict[str, str] | None:
    """A dict, a JSON object string, or 'RAW=LABEL,RAW=LABEL' (CLI options are strings)."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    text = str(value).strip()
    if text.startswith("{"):
        return {str(k): str(v) for k, v in json.loads(text).items()}
    pairs = [p.split("=", 1) for p in text.split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise ExtractorError(f"label_map must be JSON or RAW=LABEL pairs, got {text!r}")
    return {k.strip(): v.strip() for k, v in pairs}


def _weights_sha256(model_dir: Path) -> str:
    """sha256 over the local weight files (names and bytes, sorted by name)."""
    h = hashlib.sha256()
    files = sorted(p for p in model_dir.iterdir() if p.suffix in (".safetensors", ".bin") and p.is_file())
    for path in files:
        h.update(path.name.encode() + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _safetensors_error() -> type[Exception]:
    """safetensors' error type (damaged weights), imported only once loading is under way."""
    try:
        from safetensors import SafetensorError
    except ImportError:  # older safetensors
        return OSError
    return SafetensorError


class HFTokenClassificationExtractor:
    """Entities (and timexes when the model has DATE/TIME) from a HF token classifier.

    Registered as the family ``hf``: ``--model hf:<model id or local folder>`` passes the
    target as ``model``; ``--model-args`` sets the other constructor options."""

    version = VERSION
    target_arg = "model"

    def __init__(
        self,
        model: str,
        batch_size: int = 8,
        stride: int = 64,
        max_length: int | None = None,
        trust_remote_code: bool = False,
        label_map: dict | str | None = None,
        device: str = "cpu",
        revision: str | None = None,
    ) -> None:
        self.model_id = str(model)
        self.name = f"hf:{self.model_tag}"
        self.batch_size = max(1, int(batch_size))
        self.trust_remote_code = _to_bool(trust_remote_code)
        self.device = str(device)
        self.revision = revision or None
        self._tokenizer, self._model = self._load()
        id2label = {int(k): str(v) for k, v in self._model.config.id2label.items()}
        self._tags = [id2label[i] for i in range(len(id2label))]
        plan = plan_labels((split_tag(t)[1] for t in self._tags), _to_label_map(label_map))
        self.label_scheme = plan.scheme
        self.label_map = dict(sorted(plan.entity_map.items()))
        self.timex_map = dict(sorted(plan.timex_map.items()))
        self.tasks = frozenset({"entities"} | ({"timex"} if self.timex_map else set()))
        self.max_length = self._resolve_max_length(max_length)
        # Content tokens per window (specials excluded); overlap must leave progress.
        capacity = self.max_length - self._tokenizer.num_special_tokens_to_add(pair=False)
        if capacity < 2:
            raise ExtractorError(f"max_length={self.max_length} leaves no room for tokens")
        self.stride = min(max(0, int(stride)), capacity // 2)

    # loading ------------------------------------------------------------------------
    def _load(self):
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        kwargs: dict[str, object] = {"trust_remote_code": self.trust_remote_code}
        if self.revision:
            kwargs["revision"] = self.revision
        local = Path(self.model_id).expanduser()
        source = str(local) if local.is_dir() else self.model_id
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True, **kwargs)
            if local.is_dir():
                has_st = any(local.glob("*.safetensors"))
                model = AutoModelForTokenClassification.from_pretrained(
                    source, use_safetensors=True if has_st else None, **kwargs)
            else:
                try:  # prefer safetensors; older hub repos only ship pytorch_model.bin
                    model = AutoModelForTokenClassification.from_pretrained(source, use_safetensors=True, **kwargs)
                except OSError:
                    model = AutoModelForTokenClassification.from_pretrained(source, **kwargs)
        except (OSError, ValueError, RuntimeError, pickle.UnpicklingError, _safetensors_error()) as exc:
            raise ExtractorError(
                f"cannot load {self.model_id!r}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}. Pass a local directory, or allow hub "
                "downloads (HF_HUB_OFFLINE unset) for a hub id."
            ) from exc
        if not getattr(tokenizer, "is_fast", False):
            raise ExtractorError(f"{self.model_id!r} has no fast tokenizer; offsets are required")
        model.eval()
        model.to(self.device)
        return tokenizer, model

    def _resolve_max_length(self, max_length: int | None) -> int:
        limits = [int(max_length)] if max_length not in (None, "", "None") else []
        tok_max = getattr(self._tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < 100_000:
            limits.append(tok_max)
        config = self._model.config
        pos = getattr(config, "max_position_embeddings", None)
        if isinstance(pos, int) and pos > 0:
            if "roberta" in str(getattr(config, "model_type", "")):  # positions start after padding_idx
                pos -= (getattr(config, "pad_token_id", None) or 0) + 1
            limits.append(pos)
        return min(limits) if limits else 512

    # inference ----------------------------------------------------------------------
    def _plan(self, text: str) -> _Windows:
        """One tokenizer call: the whole text, cut into overlapping windows with offsets."""
        enc = self._tokenizer(
            text, truncation=True, max_length=self.max_length, stride=self.stride,
            return_overflowing_tokens=True, return_offsets_mapping=True,
            return_special_tokens_mask=True,
        )
        n_windows = len(enc["input_ids"])
        content = [[i for i, s in enumerate(enc["special_tokens_mask"][k]) if not s] for k in range(n_windows)]
        # Window k's content starts where window k-1's ends minus the overlap.
        starts = [0]
        for k in range(1, n_windows):
            starts.append(starts[-1] + len(content[k - 1]) - self.stride)
        total = starts[-1] + len(content[-1]) if n_windows else 0
        offsets: list[tuple[int, int] | None] = [None] * total
        words: list[int | None] = [None] * total
        for k in range(n_windows):
            word_ids = enc.word_ids(k)
            for j, pos in enumerate(content[k]):
                g = starts[k] + j
                off = tuple(enc["offset_mapping"][k][pos])
                if offsets[g] is not None and offsets[g] != off:
                    raise RuntimeError("tokenizer overflow windows do not line up; please report this model")
                offsets[g] = off
                words[g] = word_ids[pos]
        return _Windows(text, enc, content, starts, offsets, words)

    def _window_labels(self, plans: Sequence[_Windows]) -> dict[tuple[int, int], list[int]]:
        """Label ids of every window of every plan, keyed (plan, window); windows of
        several documents share a batch."""
        import torch

        names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if
                 n in getattr(self._tokenizer, "model_input_names", ("input_ids", "attention_mask"))]
        pad_id = self._tokenizer.pad_token_id if self._tokenizer.pad_token_id is not None else 0
        items = [(i, k) for i, plan in enumerate(plans) for k in range(len(plan.enc["input_ids"]))]
        out: dict[tuple[int, int], list[int]] = {}
        with torch.inference_mode():
            for b0 in range(0, len(items), self.batch_size):
                batch = items[b0:b0 + self.batch_size]
                width = max(len(plans[i].enc["input_ids"][k]) for i, k in batch)
                rows: dict[str, list[list[int]]] = {}
                for i, k in batch:
                    enc = plans[i].enc
                    n = len(enc["input_ids"][k])
                    window = {name: list(enc[name][k]) for name in names if name in enc}
                    window.setdefault("attention_mask", [1] * n)
                    window.update(self._window_extras(plans[i], k))
                    for name, values in window.items():
                        fill = pad_id if name == "input_ids" else 0
                        rows.setdefault(name, []).append(values + [fill] * (width - len(values)))
                inputs = {name: torch.tensor(r, dtype=torch.long, device=self.device) for name, r in rows.items()}
                labels = self._model(**inputs).logits.argmax(-1).cpu().tolist()
                for row, key in enumerate(batch):
                    out[key] = labels[row]
        return out

    def _window_extras(self, plan: _Windows, k: int) -> dict[str, list[int]]:
        """Further model inputs for window ``k`` of ``plan`` (unpadded, 0 pads them); none here."""
        return {}

    def token_predictions_many(self, texts: Sequence[str]) -> list[list[TokenPrediction]]:
        """One prediction per sub-token of each whole text, merged across its windows: a
        token seen by several windows takes the label from the window where it sits
        furthest from an edge (ties: the earlier window)."""
        plans = [self._plan(t) for t in texts]
        labels = self._window_labels(plans)
        out = []
        for i, plan in enumerate(plans):
            total = len(plan.offsets)
            best_score, best_label, best_window = [-1] * total, [0] * total, [0] * total
            for k, content in enumerate(plan.content):
                n = len(content)
                for j, pos in enumerate(content):
                    g = plan.starts[k] + j
                    score = min(j, n - 1 - j)
                    if score > best_score[g]:
                        best_score[g], best_label[g], best_window[g] = score, labels[i, k][pos], k
            out.append([
                TokenPrediction(plan.offsets[g][0], plan.offsets[g][1],
                                plan.words[g] if plan.words[g] is not None else -1 - g, best_label[g], best_window[g])
                for g in range(total)
            ])
        return out

    def token_predictions(self, text: str) -> list[TokenPrediction]:
        return self.token_predictions_many([text])[0]

    def _decode(self, tokens: Sequence[TokenPrediction]) -> list[tuple[int, int, str]]:
        word_tags: list[tuple[int, int, str]] = []  # (start, end, tag of first sub-token)
        prev_word = None
        for tok in tokens:
            if tok.end <= tok.start:
                continue
            if tok.word == prev_word and word_tags:
                s, _, tag = word_tags[-1]
                word_tags[-1] = (s, tok.end, tag)
            else:
                word_tags.append((tok.start, tok.end, self._tags[tok.label_id]))
            prev_word = tok.word
        return decode_bio(word_tags)

    def predict_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Raw (start, end, model type) spans from word-level BIO decoding, untrimmed."""
        return self._decode(self.token_predictions(text))

    def predict_spans_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [self._decode(tokens) for tokens in self.token_predictions_many(texts)]

    def extract_batch(self, docs: Sequence[Document], claims: Sequence[Claim] = ()) -> list[Annotations]:
        """Windows of up to ``_DOCS_PER_CALL`` documents share model batches (short news
        documents fill a batch together); the spans are each document's own."""
        out: list[Annotations] = []
        for d0 in range(0, len(docs), _DOCS_PER_CALL):
            group = docs[d0:d0 + _DOCS_PER_CALL]
            spans = self.predict_spans_many([d.text for d in group])
            out.extend(self._annotations(d, s) for d, s in zip(group, spans))
        return out

    def extract(self, doc: Document, claims: Sequence[Claim] = ()) -> Annotations:
        return self.extract_batch([doc], claims)[0]

    def _annotations(self, doc: Document, spans: Sequence[tuple[int, int, str]]) -> Annotations:
        text = doc.text
        entities: set[Entity] = set()
        timexes: set[Timex] = set()
        for s, e, raw in spans:
            if raw in self.label_map:
                cut = trim_span(text, s, e)
                if cut:
                    entities.add(Entity(cut[0], cut[1], self.label_map[raw], text[cut[0]:cut[1]]))
            elif raw in self.timex_map:
                cut = trim_span(text, s, e)
                if cut:
                    timex = self._timex(text, cut[0], cut[1], doc.dct)
                    if timex:
                        timexes.add(timex)
        return Annotations(
            doc_id=doc.doc_id,
            entities=tuple(sorted(entities)),
            timexes=tuple(sorted(timexes)) if "timex" in self.tasks else None,
            stances=None,
        )

    @staticmethod
    def _timex(text: str, start: int, end: int, dct: str | None) -> Timex | None:
        from baselines.timex_normalize import normalize

        # Same context as timex_normalize.find_timexes: the text just before the span.
        result = normalize(text[start:end], dct, text[max(0, start - 400):start])
        if result is None:
            return None
        ttype, value = result
        return Timex(start, end, ttype, value, text[start:end])

    @cached_property
    def _revision_tag(self) -> str:
        local = Path(self.model_id).expanduser()
        if local.is_dir():
            return "sha256:" + _weights_sha256(local)
        return self.revision or getattr(self._model.config, "_commit_hash", None) or "unknown"

    @property
    def model_tag(self) -> str:
        """The model as results name it: a hub id, or `local:<folder name>` for a local
        folder (never its path: `revision` holds the weights' sha256, its identity)."""
        local = Path(self.model_id).expanduser()
        return f"local:{local.resolve().name}" if local.is_dir() else self.model_id

    def config(self) -> dict[str, str]:
        return {
            "model": self.model_tag,
            "revision": self._revision_tag,
            "stride": str(self.stride),
            "max_length": str(self.max_length),
            "batch_size": str(self.batch_size),
            "label_scheme": self.label_scheme,
            "label_map": json.dumps(self.label_map, sort_keys=True),
            "timex_map": json.dumps(self.timex_map, sort_keys=True),
            "trust_remote_code": str(self.trust_remote_code).lower(),
            "device": self.device,
        }


def _trained_max_length(model_dir: Path) -> int | None:
    """The ``max_length`` the model was trained with, from its recipe.json (None: unknown)."""
    recipe = model_dir / "recipe.json"
    if not recipe.is_file():
        return None
    value = json.loads(recipe.read_text(encoding="utf-8")).get("recipe", {}).get("hparams", {}).get("max_length")
    return int(value) if value else None


def decode_bio(word_tags: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Tolerant BIO decoding of (start, end, tag) words into (start, end, type) spans."""
    spans: list[tuple[int, int, str]] = []
    current: list | None = None
    for start, end, tag in word_tags:
        prefix, typ = split_tag(tag)
        if prefix == "O":
            current = None
            continue
        if prefix == "B" or current is None or current[2] != typ:
            current = [start, end, typ]
            spans.append(current)  # type: ignore[arg-type]
        else:
            current[1] = end
    return [(s, e, t) for s, e, t in spans]


class ShapeModelExtractor(HFTokenClassificationExtractor):
    """A ``ShapeTokenClassifier`` folder (baselines/minilm_model.py: safetensors + config,
    no remote code); each window also gets its word-shape ids, read from the original text."""

    def _load(self):
        from transformers import AutoTokenizer

        from baselines.minilm_model import ShapeTokenClassifier

        try:
            tokenizer = AutoTokenizer.from_pretrained(self.model_id, use_fast=True)
            model = ShapeTokenClassifier.load(self.model_id)
        except Exception as exc:  # corrupt weights raise safetensors' own error type
            raise ExtractorError(f"cannot load the shape model in {self.model_id!r}: "
                                 f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc
        model.to(self.device)
        return tokenizer, model

    def _window_extras(self, plan: _Windows, k: int) -> dict[str, list[int]]:
        from baselines.minilm_model import shape_ids, word_shapes

        enc = plan.enc
        if "shapes" not in plan.cache:  # over the whole text's tokens, as the plan lines them up
            plan.cache["shapes"] = word_shapes(plan.text, plan.offsets, plan.words)
        return {"shape_ids": shape_ids(plan.text, enc["offset_mapping"][k], enc.word_ids(k), plan.cache["shapes"])}

    def predict_spans(self, text: str) -> list[tuple[int, int, str]]:
        """Names read as IO: two spans of one name label with nothing but space between are
        one name (the model often tags "North Korean" B-NORP B-NORP, while such neighbours
        are 13 of ~22,000 name spans in its training data; DATE/TIME keep the BIO reading,
        where neighbours such as "last night" "tonight" are separate expressions). Then
        names are cut at trailing function words and kept only with a capital letter
        (docs/guidelines.md: proper names only; the training labels obey both)."""
        return self._as_names(text, super().predict_spans(text))

    def predict_spans_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        return [self._as_names(t, spans) for t, spans in zip(texts, super().predict_spans_many(texts))]

    def _as_names(self, text: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        merged: list[tuple[int, int, str]] = []
        for s, e, typ in spans:
            gap = text[merged[-1][1]:s] if merged else "x"
            if merged[-1:] and merged[-1][2] == typ and typ in self.label_map and not gap.strip():
                merged[-1] = (merged[-1][0], e, typ)
            else:
                merged.append((s, e, typ))
        out = []
        for s, e, typ in merged:
            if typ in self.label_map:
                m = _TRAILING_FUNCTION_WORDS.search(text, s, e)
                e = m.start() if m else e
                if not any(c.isupper() for c in text[s:e]):
                    continue
            out.append((s, e, typ))
        return out

    def config(self) -> dict[str, str]:
        return {**super().config(), "shape_mode": str(self._model.shape_mode)}


class MiniLMNERExtractor:
    """The default offline model: trained MiniLM NER + timex values + embedding stance.

    Documents are read in windows of the training examples' length (the recipe's
    ``max_length``, 128 tokens): MiniLM-L6 was pre-trained and is fine-tuned on
    sequences that short, and 512-token windows, whose later positions it never
    learnt to use, cost over ten points of entity F1 (docs/baselines.md).
    """

    name = "minilm-ner"
    version = "2.0.0"  # 2.0.0: silver-trained shape model, windows of the training length, IO reading
    tasks = frozenset({"entities", "timex", "stance"})
    label_scheme = "ontonotes"

    def __init__(self, model_dir: str | None = None, batch_size: int = 8, stride: int = 64,
                 stance_model_path: str | None = None, max_length: int | None = None) -> None:
        if model_dir:
            path = Path(model_dir)
        else:
            from baselines.train_ner import default_model_dir

            path = default_model_dir(train_if_missing=True)
        self.model_dir = path
        from baselines.minilm_model import is_shape_model

        cls = ShapeModelExtractor if is_shape_model(path) else HFTokenClassificationExtractor
        if max_length in (None, "", "None"):
            max_length = _trained_max_length(path)
        self._ner = cls(str(path), batch_size=batch_size, stride=stride, max_length=max_length)
        if self._ner.label_scheme != "ontonotes" or "timex" not in self._ner.tasks:
            raise ExtractorError(f"{path} is not an OntoNotes model with DATE/TIME labels")
        self.label_map = self._ner.label_map
        self._stance_model_path = stance_model_path
        self._stance = None

    def _stance_predictor(self):
        if self._stance is None:
            from baselines.stance_embed import EmbeddingStance

            self._stance = EmbeddingStance(self._stance_model_path)
        return self._stance

    def extract_batch(self, docs: Sequence[Document], claims: Sequence[Claim] = ()) -> list[Annotations]:
        out = []
        for doc, ann in zip(docs, self._ner.extract_batch(docs, claims)):
            stances = tuple(self._stance_predictor().predict(doc, claims, ann.entities or ())) if claims else ()
            out.append(Annotations(doc_id=doc.doc_id, entities=ann.entities, timexes=ann.timexes, stances=stances))
        return out

    def extract(self, doc: Document, claims: Sequence[Claim] = ()) -> Annotations:
        return self.extract_batch([doc], claims)[0]

    def config(self) -> dict[str, str]:
        out = {f"ner_{k}": v for k, v in self._ner.config().items()}
        recipe = self.model_dir / "recipe.json"
        if recipe.is_file():  # the model card: recipe hash and where the training text came from
            info = json.loads(recipe.read_text(encoding="utf-8"))
            out["recipe_sha256"] = info.get("recipe_sha256", "")
            silver = info.get("recipe", {}).get("silver_data")
            if silver:
                out["silver_text"] = f"{silver['text_package']} {silver['text_file']} sha256:{silver['text_sha256'][:12]}"
                out["silver_text_license"] = silver["text_license"]
                out["silver_labels"] = f"{silver['teacher']}, checked by {silver['checker']}"
        stance = self._stance_predictor()
        if hasattr(stance, "config"):
            out.update({f"stance_{k}": str(v) for k, v in stance.config().items()})
        return out
