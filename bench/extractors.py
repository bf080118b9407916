"""Extractor protocol and the one registry (entry-point group ``bench.extractors``).

An extractor turns a document into predictions for the tasks it declares.
Registered names carry no version; the extractor's ``version`` is stamped on
every result.  Heavy libraries are imported by the extractor itself, lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from bench.types import FINE_TO_CONLL, Annotations, Claim, Document

ENTRY_POINT_GROUP = "bench.extractors"


class ExtractorError(Exception):
    """A model name or class that cannot be resolved into an extractor."""


@runtime_checkable
class Extractor(Protocol):
    name: str  # e.g. "regex"
    version: str  # e.g. "1.0.0"; bump when outputs can change
    tasks: frozenset[str]  # subset of bench.types.TASKS keys
    # "ontonotes" (the benchmark's fine labels) or "conll" (PER/ORG/LOC/MISC):
    # a CoNLL extractor is scored on the CoNLL view only.
    label_scheme: str
    # raw model label -> benchmark label (in label_scheme); identity when empty.
    label_map: Mapping[str, str]

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        """Predict every declared task for one document; undeclared layers are None."""
        ...

    def config(self) -> dict[str, str]:
        """Settings and model hashes that identify this run (stamped on results)."""
        ...


def registered() -> dict[str, str]:
    """name -> 'module:attr' for every installed extractor entry point."""
    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _import_attr(spec: str):
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ExtractorError(f"expected 'module.path:ClassName', got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ExtractorError(f"cannot import module {module_name!r}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise ExtractorError(f"module {module_name!r} has no attribute {attr!r}") from None


def load_extractor(model: str, **options: str) -> Extractor:
    """Resolve a registered name, 'module.path:ClassName' or 'hf:<model id or path>'."""
    if model.startswith("hf:"):
        target = model[3:]
        if not target:
            raise ExtractorError("'hf:' needs a model id or local path, e.g. hf:dslim/bert-base-NER")
        cls = _import_attr("baselines.hf_ner:HFTokenClassificationExtractor")
        return _check(cls(model=target, **options), model)
    names = registered()
    if ":" in model:
        return _check(_import_attr(model)(**options), model)
    if model not in names:
        available = ", ".join(sorted(names)) or "(none installed)"
        raise ExtractorError(
            f"unknown model {model!r}; available: {available}; "
            "or pass 'module.path:ClassName' or 'hf:<model id or path>'"
        )
    return _check(_import_attr(names[model])(**options), model)


def _check(obj: object, spec: str) -> Extractor:
    missing = [a for a in ("name", "version", "tasks", "label_scheme", "extract") if not hasattr(obj, a)]
    if missing:
        raise ExtractorError(f"{spec!r} is not an extractor: missing {', '.join(missing)}")
    from bench.types import TASKS

    unknown = set(obj.tasks) - set(TASKS)
    if unknown:
        raise ExtractorError(f"{spec!r} declares unknown tasks {sorted(unknown)}; known: {sorted(TASKS)}")
    if obj.label_scheme not in ("ontonotes", "conll"):
        raise ExtractorError(f"{spec!r} has label_scheme {obj.label_scheme!r}; expected 'ontonotes' or 'conll'")
    return obj  # type: ignore[return-value]


def conll_view(label: str) -> str:
    """Map a fine label to CoNLL; CoNLL labels map to themselves."""
    return FINE_TO_CONLL.get(label, label)


def list_extractors() -> list[tuple[str, str, str]]:
    """(name, 'module:attr', tasks) for each registered extractor, without instantiating it."""
    rows = []
    for name, spec in sorted(registered().items()):
        try:
            tasks = ",".join(sorted(getattr(_import_attr(spec), "tasks", ()))) or "?"
        except ExtractorError as exc:
            tasks = f"(cannot load: {exc})"
        rows.append((name, spec, tasks))
    return rows
