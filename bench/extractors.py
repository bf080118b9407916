"""Extractor protocol and the one registry (entry-point group ``bench.extractors``).

An extractor turns a document into predictions for the tasks it declares.  The
baselines and third-party packages register the same way, in their pyproject:

    [project.entry-points."bench.extractors"]
    my-model = "my_pkg.module:MyExtractor"

A model spec is a registered name (``regex``), a *family* with a target
(``hf:dslim/bert-base-NER``: the registered ``hf`` factory, called with
``model="dslim/bert-base-NER"``), or ``module.path:ClassName``.  Options
(``--model-args key=value,...``) are passed to the constructor as strings; an
unknown option is an error that lists the ones it takes.  Registered names carry no
version; the extractor's ``version`` is stamped on every result.  Heavy libraries
are imported by the extractor itself, lazily.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping, Sequence
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

from bench.types import FINE_TO_CONLL, Annotations, Claim, Document

ENTRY_POINT_GROUP = "bench.extractors"
LABEL_SCHEMES = ("ontonotes", "conll")


class ExtractorError(Exception):
    """A model name or class that cannot be resolved into an extractor."""


@runtime_checkable
class Extractor(Protocol):
    name: str  # e.g. "regex"
    version: str  # e.g. "1.0.0"; bump when outputs can change
    tasks: frozenset[str]  # names of registered tasks (bench.scoring.TASKS)
    # "ontonotes" (the benchmark's OntoNotes labels) or "conll" (PER/ORG/LOC/MISC):
    # a CoNLL extractor is scored on the CoNLL view only.
    label_scheme: str

    def extract(self, doc: Document, claims: Sequence[Claim]) -> Annotations:
        """Predict every declared task for one document; undeclared layers are None."""
        ...

    def config(self) -> dict[str, str]:
        """Settings and model hashes that identify this run (stamped on results)."""
        ...

    # Optional: ``extract_batch(docs, claims) -> list[Annotations]`` (one per document, in
    # order), for models that run faster on many documents at once; the runner uses it
    # when present and calls ``extract`` otherwise.
    # Optional: ``diagnostics() -> dict[str, int]``, counts of what the extractor could not
    # use (an LLM's parse failures, unaligned strings), stamped on the result; and
    # ``usage() -> dict[str, float]`` (requests, tokens), added to the timings file.


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


def target_arg(factory) -> str | None:
    """The constructor argument a family takes from 'name:<target>' (``hf`` -> "model")."""
    return getattr(factory, "target_arg", None)


def _construct(factory, spec: str, options: Mapping[str, str]):
    if not callable(factory) or not inspect.isclass(factory) and not getattr(factory, "is_extractor_factory", False):
        raise ExtractorError(f"{spec!r} is not an extractor: not a class")
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        params = {}
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    accepted = [n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n != "self"]
    unknown = sorted(set(options) - set(accepted)) if not takes_any else []
    if unknown:
        raise ExtractorError(f"{spec!r} takes no option {', '.join(map(repr, unknown))}; it takes: "
                             f"{', '.join(accepted) or 'none'}")
    try:
        return factory(**options)
    except (TypeError, ValueError) as exc:
        raise ExtractorError(f"{spec!r} could not be created with {dict(options)}: {exc}") from None


def load_extractor(model: str, **options: str) -> Extractor:
    """Resolve a registered name, a family spec 'name:<target>' or 'module.path:ClassName'."""
    names = registered()
    family, sep, target = model.partition(":")
    if sep and family in names:
        factory = _import_attr(names[family])
        arg = target_arg(factory)
        if arg is None:
            raise ExtractorError(f"{family!r} takes no target; use --model {family}")
        if not target:
            raise ExtractorError(f"'{family}:' needs a target, e.g. {family}:<{arg}>")
        return _check(_construct(factory, model, {**options, arg: target}), model)
    if sep:
        return _check(_construct(_import_attr(model), model, options), model)
    if model not in names:
        available = ", ".join(sorted(names)) or "(none installed)"
        raise ExtractorError(f"unknown model {model!r}; available: {available}; "
                             "or pass 'module.path:ClassName' or 'hf:<model id or path>'")
    factory = _import_attr(names[model])
    if target_arg(factory) is not None:
        raise ExtractorError(f"{model!r} needs a target: {model}:<{target_arg(factory)}>")
    return _check(_construct(factory, model, options), model)


def _check(obj: object, spec: str) -> Extractor:
    """Exactly what the protocol declares, with the right types."""
    from bench.scoring import TASKS

    missing = [a for a in ("name", "version", "tasks", "label_scheme", "extract", "config") if not hasattr(obj, a)]
    if missing:
        raise ExtractorError(f"{spec!r} is not an extractor: missing {', '.join(missing)}")
    wrong = [a for a, ok in (("name", isinstance(obj.name, str) and obj.name),
                             ("version", isinstance(obj.version, str) and obj.version),
                             ("tasks", isinstance(obj.tasks, (set, frozenset)) and obj.tasks),
                             ("extract", callable(obj.extract)), ("config", callable(obj.config))) if not ok]
    if wrong:
        raise ExtractorError(f"{spec!r} is not an extractor: wrong type or empty: {', '.join(wrong)}")
    unknown = set(obj.tasks) - set(TASKS)
    if unknown:
        raise ExtractorError(f"{spec!r} declares unknown tasks {sorted(unknown)}; known: {', '.join(TASKS)}")
    if obj.label_scheme not in LABEL_SCHEMES:
        raise ExtractorError(f"{spec!r} has label_scheme {obj.label_scheme!r}; expected 'ontonotes' or 'conll'")
    return obj  # type: ignore[return-value]


def conll_view(label: str) -> str:
    """Map an OntoNotes label to CoNLL; CoNLL labels map to themselves."""
    return FINE_TO_CONLL.get(label, label)


def list_extractors() -> list[tuple[str, str, str]]:
    """(name or 'family:<target>', 'module:attr', tasks) for each registered extractor, not instantiated."""
    rows = []
    for name, spec in sorted(registered().items()):
        try:
            factory = _import_attr(spec)
            shown = f"{name}:<{target_arg(factory)}>" if target_arg(factory) else name
            tasks = ",".join(sorted(getattr(factory, "tasks", ()) or ())) or "(depends on the model)"
        except ExtractorError as exc:
            shown, tasks = name, f"(cannot load: {exc})"
        rows.append((shown, spec, tasks))
    return rows


def runnable_names() -> list[str]:
    """Registered extractors that run without a target (the leaderboard runs these)."""
    out = []
    for name, spec in sorted(registered().items()):
        try:
            if target_arg(_import_attr(spec)) is None:
                out.append(name)
        except ExtractorError:
            out.append(name)  # the run itself will report why it cannot load
    return out
