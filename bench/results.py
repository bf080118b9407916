"""Run records: what one evaluation produced, stamped with everything that identifies it.

One typed record (``RunRecord``), one writer and one reader.  A result is two files:
`<name>.json` (scores, intervals, metadata; the JSON Schema
``bench/schemas/result-v3.schema.json``) and `<name>.counts.parquet`, the per-document
and per-sub-unit count tables every figure derives from (``bench.count_store``),
named and hashed in the JSON.  Every file read is validated (a submitted result is
untrusted input: wrong types, or a sidecar whose hash differs, are refused with a
one-line error before anything is rendered).  Both files are byte-identical for the
same inputs and seed; wall-clock timings go to `<name>.timings.json`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bench.io import DataError, atomic_write_text

if TYPE_CHECKING:  # annotations only: numpy stays out of `bench --help`
    from bench.scoring.base import CountTable

SCHEMA = "kursk-ie-bench/result/v3"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "result-v3.schema.json"


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
    counts: CountTable  # one row per document: sums give every figure
    sub_unit: str = "sentence"  # the unit below a document: "sentence" or "pair" (document, claim)
    # one row per sub-unit ("<doc_id>#<i>"), the fields of the headline metrics only
    sub_counts: CountTable | None = None
    confusion: tuple[tuple[str, ...], tuple[tuple[int, ...], ...]] | None = None  # labels, gold x pred

    def score(self, name: str) -> Score | None:
        return dict(self.scores).get(name)

    def sums(self) -> dict[str, float]:
        """Each count field summed over the documents."""
        return dict(zip(self.counts.fields, self.counts.total().tolist()))

    @property
    def doc_ids(self) -> tuple[str, ...]:
        return self.counts.units


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
    # (name, count) of what the extractor could not use (an LLM's parse failures, unaligned
    # strings, ...); written only when there are any, so results without them are unchanged
    diagnostics: tuple[tuple[str, int], ...] = ()

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


def _score_json(s: Score) -> dict:
    return {"value": _r(s.value), "ci95_doc": [_r(s.low), _r(s.high)], "ci95_sentence": [_r(s.sent_low), _r(s.sent_high)]}


def _task_json(t: TaskResult) -> dict:
    out = {
        "version": t.version, "main_score": t.main_score, "label_scheme": t.label_scheme,
        "scores": {name: _score_json(s) for name, s in t.scores},
        "counts": {"fields": list(t.counts.fields), "sub_unit": t.sub_unit,
                   "sub_fields": list(t.sub_counts.fields) if t.sub_counts is not None else []},
    }
    if t.confusion is not None:
        out["confusion"] = {"labels": list(t.confusion[0]), "rows_gold_cols_pred": [list(r) for r in t.confusion[1]]}
    return out


def to_json(rec: RunRecord, counts_sha256: str | None = None) -> dict:
    """The result JSON; ``counts_sha256`` is that of its count sidecar, `<stem>.counts.parquet`
    beside it (named by the result's own name, so the JSON does not depend on it)."""
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
        "counts_file": None if counts_sha256 is None else {"sha256": counts_sha256},
        "tasks": {t.task: _task_json(t) for t in rec.tasks},
    } | ({"diagnostics": dict(rec.diagnostics)} if rec.diagnostics else {})


def counts_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).stem + ".counts.parquet")


def result_files(path: Path, rec: RunRecord, timings: dict[str, float] | None = None,
                 counts: bytes | None = None) -> dict[Path, bytes]:
    """Every file of a result, by path: the JSON, its count sidecar and (given) the timings.
    ``counts``: the sidecar, when already encoded from ``rec``'s tables."""
    import hashlib

    from bench.count_store import encode

    data = encode(rec.tasks) if counts is None else counts
    side = counts_path(path)
    obj = to_json(rec, hashlib.sha256(data).hexdigest())
    out = {side: data, Path(path): (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8")}
    if timings is not None:
        t = {k: round(v, 3) for k, v in timings.items()}
        out[timings_path(Path(path))] = (json.dumps(t, indent=1) + "\n").encode("utf-8")
    return out


def write_result(path: Path, rec: RunRecord, timings: dict[str, float] | None = None,
                 counts: bytes | None = None) -> None:
    """The count sidecar first, then the JSON that names and hashes it (a reader verifies the
    pair, so a kill between the two writes leaves a refused pair, never a mismatched one)."""
    from bench.io import atomic_write_bytes

    for file, data in result_files(path, rec, timings, counts).items():
        atomic_write_bytes(file, data)


def timings_path(path: Path) -> Path:
    return path.with_name(path.stem + ".timings.json")


# ---- reading ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def validate(obj: object, where: str) -> None:
    """Refuse anything that is not a v3 result, naming the first wrong place."""
    if isinstance(obj, dict) and obj.get("schema") != SCHEMA:
        raise DataError(f"{where}: unsupported result schema {str(obj.get('schema'))[:80]!r}; expected {SCHEMA!r}")
    error = next(iter(sorted(_validator().iter_errors(obj), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        at = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in error.absolute_path) or "top level"
        raise DataError(f"{where}: not a valid result at {at}: {error.message[:200]}")


def _score(v: dict) -> Score:
    return Score(v["value"], *v["ci95_doc"], *v["ci95_sentence"])


def _task(name: str, t: dict, tables: dict, where: str) -> TaskResult:
    counts = t["counts"]
    doc_table, sub_table = tables.get((name, "document")), tables.get((name, "sub"))
    if doc_table is None or sub_table is None:
        raise DataError(f"{where}: the count file has no tables for task {name!r}")
    if doc_table.fields != tuple(counts["fields"]) or sub_table.fields != tuple(counts["sub_fields"]):
        raise DataError(f"{where}: the count file's fields for task {name!r} differ from the result's")
    conf = t.get("confusion")
    return TaskResult(
        name, t["version"], t["main_score"], t["label_scheme"],
        tuple((k, _score(v)) for k, v in t["scores"].items()), doc_table, counts["sub_unit"], sub_table,
        None if conf is None else (tuple(conf["labels"]), tuple(tuple(r) for r in conf["rows_gold_cols_pred"])),
    )


def from_json(obj: object, where: str = "result", counts: bytes | None = None) -> RunRecord:
    """A record from its JSON and the bytes of its count sidecar (checked against the hash)."""
    validate(obj, where)
    return _record(obj, where, counts)


def _record(obj: dict, where: str, counts: bytes | None) -> RunRecord:
    """``from_json`` of an object already validated against the schema."""
    import hashlib

    from bench.count_store import decode

    run, ex = obj["run"], obj["extractor"]
    pred = run["predictions"]
    info = RunInfo(run["model"], tuple(run["model_args"].items()),
                   None if pred is None else (pred["file"], pred["sha256"]), run["dataset"], run["seed"],
                   run["n_resamples"], run["partial"],
                   None if run["shard"] is None else (run["shard"]["index"], run["shard"]["count"]))
    if obj["dataset"]["name"] != run["dataset"]:
        raise DataError(f"{where}: dataset.name {obj['dataset']['name']!r} differs from run.dataset {run['dataset']!r}")
    ref = obj["counts_file"]
    if obj["tasks"] and (ref is None or counts is None):
        raise DataError(f"{where}: the per-document counts (counts_file) are missing")
    tables = {}
    if counts is not None and ref is not None:
        if hashlib.sha256(counts).hexdigest() != ref["sha256"]:
            raise DataError(f"{where}: its .counts.parquet differs from the sha256 the result records (edited, "
                            "or from another run)")
        tables = decode(counts, f"{where}: its .counts.parquet")
    tasks = tuple(_task(name, t, tables, where) for name, t in obj["tasks"].items())
    for t in tasks:
        if len(t.counts.units) != obj["dataset"]["n_documents"]:
            raise DataError(f"{where}: task {t.task!r} has counts for {len(t.counts.units)} documents, the result "
                            f"says {obj['dataset']['n_documents']}")
    return RunRecord(
        info, ExtractorInfo(ex["name"], ex["version"], ex["label_scheme"], tuple(ex["tasks"]), tuple(ex["config"].items())),
        obj["dataset"]["fingerprint"], obj["dataset"]["n_documents"], obj["package_version"], tasks,
        environment=tuple(obj["environment"].items()),
        diagnostics=tuple(obj.get("diagnostics", {}).items()),
    )


def round_trip(rec: RunRecord) -> RunRecord:
    """The record as its files would give it back (figures rounded to 6 decimals)."""
    path = Path("result.json")
    files = result_files(path, rec)
    return from_json(json.loads(files[path]), "result", files[counts_path(path)])


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
    validate(obj, str(path))  # before anything else is read on its word
    counts = None
    if obj["counts_file"] is not None:
        side = counts_path(Path(path))
        try:
            counts = side.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read its counts file {side.name}: {exc.strerror}") from None
    return _record(obj, str(path), counts)


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
