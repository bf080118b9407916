"""Submitted runs: a model CI cannot run (an API model, a GPU model, another team's
system) enters a leaderboard as its predictions plus a metadata file.

    <suite's submissions folder>/<name>/submission.json   bench/schemas/submission-v1.schema.json
    <suite's submissions folder>/<name>/predictions.jsonl the prediction format, every document

Scores are never taken from a submitter: the run file ``runs/<name>.json`` is made by
scoring the predictions through ``bench.runner.score_file``, and ``bench leaderboard
--check`` scores them again and fails on any difference, exactly as it re-runs the
registered extractors.  The metadata is untrusted input: validated against its schema
(one-line errors) and escaped wherever it is shown.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from bench.io import DataError

SCHEMA = "kursk-ie-bench/submission/v1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schemas" / "submission-v1.schema.json"
META_FILE = "submission.json"
PREDICTIONS_FILE = "predictions.jsonl"
MAX_META_BYTES = 64 * 1024


@dataclass(frozen=True)
class Submission:
    name: str
    model: str
    version: str
    date: str
    produced_by: str
    label_scheme: str
    dataset: str
    predictions_sha256: str
    folder: Path
    submitter: str | None = None
    url: str | None = None
    notes: str | None = None

    @property
    def predictions(self) -> Path:
        return self.folder / PREDICTIONS_FILE

    def shown(self) -> dict[str, str]:
        """The metadata a page shows (and the run's config holds), in a fixed order."""
        out = {"submitted": "true", "model": self.model, "date": self.date, "produced_by": self.produced_by}
        out.update({k: v for k, v in (("submitter", self.submitter), ("url", self.url), ("notes", self.notes)) if v})
        return out


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def sha256_of(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def read_submission(folder: Path) -> Submission:
    """A submission folder's metadata, checked against its schema and its predictions file."""
    folder = Path(folder)
    meta = folder / META_FILE
    where = str(meta)
    try:
        raw = meta.read_bytes()
    except OSError as exc:
        raise DataError(f"{where}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_META_BYTES:
        raise DataError(f"{where}: {len(raw)} bytes; the metadata file may hold at most {MAX_META_BYTES}")
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"{where}: not valid UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise DataError(f"{where}: invalid JSON: {str(exc)[:100]}") from None
    error = next(iter(sorted(_validator().iter_errors(obj), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        at = ".".join(str(p) for p in error.absolute_path) or "top level"
        raise DataError(f"{where}: not a valid submission at {at}: {' '.join(error.message.split())[:200]}")
    try:
        datetime.date.fromisoformat(obj["date"])
    except ValueError:
        raise DataError(f"{where}: date {obj['date']!r} is not a calendar date") from None
    sub = Submission(obj["name"], obj["model"], obj["version"], obj["date"], obj["produced_by"], obj["label_scheme"],
                     obj["dataset"], obj["predictions_sha256"], folder, obj.get("submitter"), obj.get("url"),
                     obj.get("notes"))
    if not sub.predictions.is_file():
        raise DataError(f"{sub.predictions}: missing; a submission is {META_FILE} plus {PREDICTIONS_FILE}")
    digest = sha256_of(sub.predictions)
    if digest != sub.predictions_sha256:
        raise DataError(f"{where}: predictions_sha256 is {sub.predictions_sha256}, but {PREDICTIONS_FILE} has {digest}")
    from bench.predictions import declared_label_scheme

    header = declared_label_scheme(sub.predictions)
    if header is not None and header != sub.label_scheme:
        raise DataError(f"{where}: label_scheme {sub.label_scheme} contradicts the predictions' header ({header})")
    return sub


def load_submissions(folder: Path | None) -> dict[str, Submission]:
    """Every submission of a leaderboard's submissions folder, by name (none when it has no folder)."""
    if folder is None or not Path(folder).is_dir():
        return {}
    out = {}
    for sub_dir in sorted(p for p in Path(folder).iterdir() if p.is_dir() and not p.name.startswith(".")):
        sub = read_submission(sub_dir)
        if sub.name != sub_dir.name:
            raise DataError(f"{sub_dir / META_FILE}: name {sub.name!r} differs from its folder's name")
        out[sub.name] = sub
    return out


def score(sub: Submission, dataset: str, seed: int, n_resamples: int):
    """(RunRecord, timings) of a submission: its predictions scored by the runner, stamped with
    the submission's name, version and metadata (the metadata is in the signature's config hash)."""
    from bench import runner
    from bench.results import RunInfo

    corpus, name = runner.load_corpus(runner.RunSpec(dataset=dataset))
    if sub.dataset != name:
        raise DataError(f"{sub.folder / META_FILE}: made for dataset {sub.dataset!r}, not {name!r}")
    outcome = runner.score_file(sub.predictions, corpus, RunInfo(None, (), None, name, seed, n_resamples),
                                sub.label_scheme, sub.name)
    rec = outcome.record
    info = replace(rec.extractor, version=sub.version, config=tuple(sorted(sub.shown().items())))
    return replace(rec, extractor=info), outcome.timings
