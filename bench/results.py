"""Run records: what one evaluation produced, stamped with everything that identifies it.

One typed record (``RunRecord``), one writer and one reader.  The file format is the
JSON Schema ``bench/schemas/result-v2.schema.json``: every file read is validated
against it (a submitted result is untrusted input: wrong types are refused with a
one-line error before anything is rendered).  The result JSON is byte-identical for
the same inputs and seed; wall-clock timings go to a sibling `<name>.timings.json`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bench.io import DataError, atomic_write_text

SCHEMA = "kursk-ie-bench/result/v2"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "result-v2.schema.json"


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
    per_document: tuple[tuple[str, tuple[tuple[str, float | None], ...]], ...]
    count_fields: tuple[str, ...]
    doc_counts: tuple[tuple[str, tuple[float, ...]], ...]  # per-document counts: sums give every figure
    sub_unit: str = "sentence"  # the unit below a document: "sentence" or "pair" (document, claim)
    sub_fields: tuple[str, ...] = ()  # the fields the sub-unit counts keep (the headline metrics')
    sub_counts: tuple[tuple[str, tuple[tuple[float, ...], ...]], ...] = ()  # doc_id -> one row per sub-unit
    confusion: tuple[tuple[str, ...], tuple[tuple[int, ...], ...]] | None = None  # labels, gold x pred

    def score(self, name: str) -> Score | None:
        return dict(self.scores).get(name)

    def sums(self) -> dict[str, float]:
        """Each count field summed over the documents."""
        return {f: sum(row[i] for _, row in self.doc_counts) for i, f in enumerate(self.count_fields)}


@dataclass(frozen=True)
class ExtractorInfo:
    name: str
    version: str
    label_scheme: str
    tasks: tuple[str, ...]
    config: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RunInfo:
    """How to repeat the run: `bench evaluate --from-result` reads exactly this."""

    model: str | None  # the --model spec ("regex", "hf:<id>", "pkg.mod:Class"); None for a file
    model_args: tuple[tuple[str, str], ...]
    predictions: tuple[str, str] | None  # (file name, sha256) of a scored predictions file
    dataset: str  # the dataset's name (a built-in one, or the folder's name), never a path
    seed: int
    n_resamples: int
    partial: bool = False
    shard: tuple[int, int] | None = None  # (index, count) of a `--shard i/n` run


@dataclass(frozen=True)
class RunRecord:
    run: RunInfo
    extractor: ExtractorInfo
    dataset_fingerprint: str
    n_documents: int
    package_version: str
    tasks: tuple[TaskResult, ...]
    # (name, version) of the interpreter and libraries; reported, not part of the signature
    environment: tuple[tuple[str, str], ...] = ()
    schema: str = SCHEMA

    @property
    def seed(self) -> int:
        return self.run.seed

    @property
    def n_resamples(self) -> int:
        return self.run.n_resamples

    @property
    def partial(self) -> bool:
        return self.run.partial

    @property
    def dataset(self) -> str:
        return self.run.dataset

    def task(self, name: str) -> TaskResult | None:
        return next((t for t in self.tasks if t.task == name), None)

    def signature(self) -> str:
        """sacrebleu-style one-line signature of everything that determines the numbers."""
        ex = self.extractor
        versions = "+".join(f"{t.task}:{t.version}" for t in self.tasks)
        args = ",".join(f"{k}={v}" for k, v in self.run.model_args) or "none"
        config = _short_hash(json.dumps(dict(ex.config), sort_keys=True))
        shard = f"|shard:{self.run.shard[0]}/{self.run.shard[1]}" if self.run.shard else ""
        return (f"model:{ex.name}@{ex.version}|args:{args}|config:{config}|labels:{ex.label_scheme}"
                f"|data:{self.dataset_fingerprint}|tasks:{versions}|bench:{self.package_version}"
                f"|seed:{self.seed}|resamples:{self.n_resamples}" + ("|partial" if self.partial else "") + shard)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


# ---- writing ---------------------------------------------------------------------------

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


def _task_json(t: TaskResult) -> dict:
    out = {
        "version": t.version, "main_score": t.main_score, "label_scheme": t.label_scheme,
        "scores": {name: _score_json(s) for name, s in t.scores},
        "per_document": {d: {k: _r(v) for k, v in vals} for d, vals in t.per_document},
        "counts": {"fields": list(t.count_fields),
                   "documents": dict(zip((d for d, _ in t.doc_counts), _r_rows([r for _, r in t.doc_counts])))},
        "sub_unit_counts": {"unit": t.sub_unit, "fields": list(t.sub_fields),
                            "documents": {d: [list(r) for r in rows] for d, rows in t.sub_counts}},
    }
    if t.confusion is not None:
        out["confusion"] = {"labels": list(t.confusion[0]), "rows_gold_cols_pred": [list(r) for r in t.confusion[1]]}
    return out


def to_json(rec: RunRecord) -> dict:
    run = rec.run
    return {
        "schema": rec.schema,
        "signature": rec.signature(),
        "run": {"model": run.model, "model_args": dict(run.model_args),
                "predictions": None if run.predictions is None else dict(zip(("file", "sha256"), run.predictions)),
                "dataset": run.dataset, "seed": run.seed, "n_resamples": run.n_resamples, "partial": run.partial,
                "shard": None if run.shard is None else {"index": run.shard[0], "count": run.shard[1]}},
        "extractor": {"name": rec.extractor.name, "version": rec.extractor.version,
                      "label_scheme": rec.extractor.label_scheme, "tasks": list(rec.extractor.tasks),
                      "config": dict(rec.extractor.config)},
        "dataset": {"name": run.dataset, "fingerprint": rec.dataset_fingerprint, "n_documents": rec.n_documents},
        "package_version": rec.package_version,
        "environment": dict(rec.environment),
        "tasks": {t.task: _task_json(t) for t in rec.tasks},
    }


def write_result(path: Path, rec: RunRecord, timings: dict[str, float] | None = None) -> None:
    from bench.jsonfast import dumps  # = json.dumps(..., indent=1, ensure_ascii=False), fast on big files

    atomic_write_text(Path(path), dumps(to_json(rec), indent=1) + "\n")
    if timings is not None:
        t = {k: round(v, 3) for k, v in timings.items()}
        atomic_write_text(timings_path(Path(path)), json.dumps(t, indent=1) + "\n")


def timings_path(path: Path) -> Path:
    return path.with_name(path.stem + ".timings.json")


# ---- reading ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def validate(obj: object, where: str) -> None:
    """Refuse anything that is not a v2 result, naming the first wrong place."""
    if isinstance(obj, dict) and obj.get("schema") != SCHEMA:
        raise DataError(f"{where}: unsupported result schema {str(obj.get('schema'))[:80]!r}; expected {SCHEMA!r}")
    error = next(iter(sorted(_validator().iter_errors(obj), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        at = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path) or "top level"
        raise DataError(f"{where}: not a valid result at {at}: {error.message[:200]}")


def _score(v: dict) -> Score:
    return Score(v["value"], *v["ci95_doc"], *v["ci95_sentence"])


def _task(name: str, t: dict, where: str) -> TaskResult:
    fields = tuple(t["counts"]["fields"])
    for d, row in t["counts"]["documents"].items():
        if len(row) != len(fields):
            raise DataError(f"{where}: task {name!r}, document {d!r}: {len(row)} counts for {len(fields)} fields")
    sub = t["sub_unit_counts"]
    for d, rows in sub["documents"].items():
        if any(len(r) != len(sub["fields"]) for r in rows):
            raise DataError(f"{where}: task {name!r}, document {d!r}: a sub-unit row has the wrong length")
    conf = t.get("confusion")
    return TaskResult(
        name, t["version"], t["main_score"], t["label_scheme"],
        tuple((k, _score(v)) for k, v in t["scores"].items()),
        tuple((d, tuple(v.items())) for d, v in t["per_document"].items()),
        fields, tuple((d, tuple(row)) for d, row in t["counts"]["documents"].items()),
        sub["unit"], tuple(sub["fields"]), tuple((d, tuple(tuple(r) for r in rows)) for d, rows in sub["documents"].items()),
        None if conf is None else (tuple(conf["labels"]), tuple(tuple(r) for r in conf["rows_gold_cols_pred"])),
    )


def from_json(obj: object, where: str = "result") -> RunRecord:
    validate(obj, where)
    run, ex = obj["run"], obj["extractor"]
    pred = run["predictions"]
    info = RunInfo(run["model"], tuple(run["model_args"].items()),
                   None if pred is None else (pred["file"], pred["sha256"]), run["dataset"], run["seed"],
                   run["n_resamples"], run["partial"],
                   None if run["shard"] is None else (run["shard"]["index"], run["shard"]["count"]))
    if obj["dataset"]["name"] != run["dataset"]:
        raise DataError(f"{where}: dataset.name {obj['dataset']['name']!r} differs from run.dataset {run['dataset']!r}")
    return RunRecord(
        info, ExtractorInfo(ex["name"], ex["version"], ex["label_scheme"], tuple(ex["tasks"]), tuple(ex["config"].items())),
        obj["dataset"]["fingerprint"], obj["dataset"]["n_documents"], obj["package_version"],
        tuple(_task(name, t, where) for name, t in obj["tasks"].items()),
        environment=tuple(obj["environment"].items()),
    )


def read_result(path: Path) -> RunRecord:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        obj = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError(f"{path}: not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:
        raise DataError(f"{path}: invalid JSON: {str(exc)[:100]}") from None
    return from_json(obj, str(path))


def read_timings(path: Path) -> dict[str, float]:
    """The run's timings file, if any: a mapping of names to numbers (anything else is refused)."""
    tp = timings_path(Path(path))
    if not tp.is_file():
        return {}
    try:
        obj = json.loads(tp.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataError(f"{tp}: unreadable timings file: {str(exc)[:100]}") from None
    if not isinstance(obj, dict) or not all(isinstance(k, str) and type(v) in (int, float) for k, v in obj.items()):
        raise DataError(f"{tp}: timings must be a JSON object of names to numbers")
    return {k: float(v) for k, v in obj.items()}
