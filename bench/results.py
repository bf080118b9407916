"""Run records: what one evaluation produced, stamped with everything that identifies it.

The result JSON is byte-identical for the same inputs and seed; wall-clock timings
go to a sibling `<name>.timings.json` so they never break that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bench.io import DataError, atomic_write_text

SCHEMA = "kursk-ie-bench/result/v1"


@dataclass(frozen=True)
class Score:
    value: float | None  # None: undefined (e.g. precision with no predictions), never 0
    low: float | None = None  # 95% percentile bootstrap over documents
    high: float | None = None
    sent_low: float | None = None  # the same, resampling sentences (pairs for stance)
    sent_high: float | None = None


@dataclass(frozen=True)
class TaskResult:
    task: str
    version: str
    main_score: str
    label_scheme: str
    scores: tuple[tuple[str, Score], ...]
    per_document: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    count_fields: tuple[str, ...]
    doc_counts: tuple[tuple[str, tuple[float, ...]], ...]  # per-document counts: sums give every figure
    extra: tuple[tuple[str, object], ...] = ()  # e.g. the stance confusion matrix

    def score(self, name: str) -> Score | None:
        return dict(self.scores).get(name)


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    version: str
    label_scheme: str
    tasks: tuple[str, ...]
    config: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RunRecord:
    extractor: ExtractorInfo
    dataset_path: str
    dataset_fingerprint: str
    n_documents: int
    package_version: str
    seed: int
    n_resamples: int
    partial: bool
    tasks: tuple[TaskResult, ...]
    schema: str = SCHEMA
    # (name, version) of the interpreter and libraries; reported, not part of the signature
    environment: tuple[tuple[str, str], ...] = ()

    def task(self, name: str) -> TaskResult | None:
        return next((t for t in self.tasks if t.task == name), None)

    def signature(self) -> str:
        """sacrebleu-style one-line signature of everything that determines the numbers."""
        versions = "+".join(f"{t.task}:{t.version}" for t in self.tasks)
        return (f"model:{self.extractor.name}@{self.extractor.version}|data:{self.dataset_fingerprint}"
                f"|tasks:{versions}|bench:{self.package_version}|seed:{self.seed}|resamples:{self.n_resamples}"
                + ("|partial" if self.partial else ""))


def _r(x: float | None) -> float | None:
    """Rounded for the JSON file; an undefined figure (None or NaN) is null."""
    if x is None or x != x:
        return None
    return round(float(x), 6)


def _r_rows(rows: list) -> list:
    """``[[_r(v) for v in row] for row in rows]``; counts (small multiples of 1/4, which
    rounding leaves unchanged) skip the per-number rounding, slow on 100,000 documents."""
    import numpy as np

    try:
        arr = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.ndim == 2 and arr.size and float(np.abs(arr).max()) < 2.0 ** 50 \
            and np.array_equal(arr * 4, np.round(arr * 4)):
        return float_rows(arr)
    return [[_r(v) for v in row] for row in rows]


def float_rows(arr, row_type: type = list) -> list:
    """``arr.tolist()`` (rows as ``row_type``) for a 2-D array of counts, with every distinct
    value one shared float object: 100,000 documents hold tens of millions of counts but
    only a few distinct values, and a float object costs three times its pointer."""
    import numpy as np

    quarters = arr * 4
    if not arr.size or np.signbit(arr).any() or float(quarters.max()) >= 4096 \
            or not np.array_equal(quarters, np.floor(quarters)):
        return [row_type(r) for r in arr.tolist()]
    shared = [i / 4 for i in range(int(quarters.max()) + 1)]  # exactly the values in arr
    get = shared.__getitem__
    return [row_type(map(get, r)) for r in quarters.astype(np.int64).tolist()]


def _score_json(s: Score) -> dict:
    return {"value": _r(s.value), "ci95_doc": [_r(s.low), _r(s.high)], "ci95_sentence": [_r(s.sent_low), _r(s.sent_high)]}


def to_json(rec: RunRecord) -> dict:
    return {
        "schema": rec.schema,
        "signature": rec.signature(),
        "extractor": {"name": rec.extractor.name, "version": rec.extractor.version,
                      "label_scheme": rec.extractor.label_scheme, "tasks": list(rec.extractor.tasks),
                      "config": dict(rec.extractor.config)},
        "dataset": {"path": rec.dataset_path, "fingerprint": rec.dataset_fingerprint, "n_documents": rec.n_documents},
        "package_version": rec.package_version,
        "seed": rec.seed,
        "n_resamples": rec.n_resamples,
        "partial": rec.partial,
        "environment": dict(rec.environment),
        "tasks": {
            t.task: {
                "version": t.version, "main_score": t.main_score, "label_scheme": t.label_scheme,
                "scores": {name: _score_json(s) for name, s in t.scores},
                "per_document": {d: {k: _r(v) for k, v in vals} for d, vals in t.per_document},
                "counts": {"fields": list(t.count_fields),
                           "documents": dict(zip((d for d, _ in t.doc_counts), _r_rows([r for _, r in t.doc_counts])))},
                **{k: v for k, v in t.extra},
            }
            for t in rec.tasks
        },
    }


def from_json(obj: dict, where: str = "result") -> RunRecord:
    try:
        if obj.get("schema") != SCHEMA:
            raise DataError(f"{where}: unsupported result schema {obj.get('schema')!r}; expected {SCHEMA!r}")
        ex = obj["extractor"]
        tasks = []
        for name, t in obj["tasks"].items():
            scores = tuple(
                (k, Score(v["value"], *v["ci95_doc"], *v["ci95_sentence"])) for k, v in t["scores"].items()
            )
            known = {"version", "main_score", "label_scheme", "scores", "per_document", "counts"}
            tasks.append(TaskResult(
                name, t["version"], t["main_score"], t["label_scheme"], scores,
                tuple((d, tuple(v.items())) for d, v in t["per_document"].items()),
                tuple(t["counts"]["fields"]),
                tuple((d, tuple(row)) for d, row in t["counts"]["documents"].items()),
                tuple((k, v) for k, v in t.items() if k not in known),
            ))
        return RunRecord(
            ExtractorInfo(ex["name"], ex["version"], ex["label_scheme"], tuple(ex["tasks"]), tuple(ex["config"].items())),
            obj["dataset"]["path"], obj["dataset"]["fingerprint"], obj["dataset"]["n_documents"],
            obj["package_version"], obj["seed"], obj["n_resamples"], obj["partial"], tuple(tasks),
            environment=tuple((str(k), str(v)) for k, v in (obj.get("environment") or {}).items()),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{where}: malformed result file: {type(exc).__name__}: {exc}") from None


def write_result(path: Path, rec: RunRecord, timings: dict[str, float] | None = None) -> None:
    from bench.jsonfast import dumps  # = json.dumps(..., indent=1, ensure_ascii=False), fast on big files

    atomic_write_text(Path(path), dumps(to_json(rec), indent=1) + "\n")
    if timings is not None:
        t = {k: round(v, 3) for k, v in timings.items()}
        atomic_write_text(timings_path(Path(path)), json.dumps(t, indent=1) + "\n")


def timings_path(path: Path) -> Path:
    return path.with_name(path.stem + ".timings.json")


def read_result(path: Path) -> RunRecord:
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    return from_json(obj, str(path))


def read_timings(path: Path) -> dict[str, float]:
    tp = timings_path(Path(path))
    return json.loads(tp.read_text(encoding="utf-8")) if tp.is_file() else {}
