"""The plain functions behind the CLI commands (testable without a terminal)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bench.io import DataError
from bench.runner import RunSpec

TRUST = "trust_remote_code"


def read_claims(path: Path | None):
    """Claims from a JSONL file (claim_id, text), or the benchmark's own."""
    from bench.corpus import load_dataset_dir
    from bench.io import read_jsonl, require
    from bench.types import Claim

    if path is None:
        return load_dataset_dir().claims
    return tuple(Claim(require(o, "claim_id", str, f"{path}:{n}"), require(o, "text", str, f"{path}:{n}"))
                 for n, o in read_jsonl(path))


def model_args(text: str | None, trust_remote_code: bool) -> tuple[tuple[str, str], ...]:
    """--model-args plus --trust-remote-code, which only its own flag may turn on."""
    from bench.runner import parse_model_args

    args = dict(parse_model_args(text))
    if TRUST in args:
        raise DataError(f"--model-args may not set {TRUST}; pass --trust-remote-code to allow a model's own code")
    if trust_remote_code:
        args[TRUST] = "true"
    return tuple(sorted(args.items()))


def _scheme_header(extractor) -> str | None:
    """The label scheme to declare in a predictions file (entity extractors only)."""
    return extractor.label_scheme if "entities" in extractor.tasks else None


def predict_file(spec: RunSpec, input_path: Path, output: Path, claims_path: Path | None = None,
                 echo=None, engine: str = "local", ray_options=None) -> int:
    """Predictions of a model on documents, written; ``echo`` gets its diagnostics lines, if
    any.  ``engine`` "ray" runs the extractor on Ray Data (bench.engines), same output."""
    from bench import runner
    from bench.engines import ENGINES, RayOptions, predict_ray
    from bench.predictions import read_input_documents, write_predictions

    if engine not in ENGINES:
        raise DataError(f"--engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if spec.model is None:
        raise DataError("bench predict needs --model")
    docs = read_input_documents(input_path)
    if spec.shard is not None:
        from bench.shards import Shard

        docs = Shard.parse(spec.shard).select(docs)
    _refuse_overwriting(output, input_path, "--input")
    claims = read_claims(claims_path)
    if engine == "ray":
        got = predict_ray(spec.model, spec.model_args, docs, claims, ray_options or RayOptions(), spec.progress)
        preds, scheme, diagnostics = got.annotations, _scheme_header(got), got.diagnostics
    else:
        extractor, preds = runner.predict(spec, docs, claims)
        scheme, diagnostics = _scheme_header(extractor), runner.extractor_diagnostics(extractor)
    write_predictions(output, preds, scheme)
    if diagnostics and echo is not None:
        echo("diagnostics (what the extractor could not use): " + ", ".join(f"{k} {v}" for k, v in diagnostics))
    return len(preds)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "run"


def default_output(spec: RunSpec, extractor_name: str) -> Path:
    """results/<model>.json for a model, results/file_<stem>.json for a predictions file
    (so a file named regex.jsonl never overwrites the regex model's result)."""
    stem = _safe(extractor_name) if spec.model is not None else "file_" + _safe(Path(spec.predictions).stem)
    if spec.shard is not None:
        i, n = spec.shard.split("/")
        stem += f".shard-{int(i)}-of-{int(n)}"
    return Path("results") / f"{stem}.json"


def _refuse_overwriting(output: Path, source: Path | None, what: str) -> None:
    if source is not None and Path(output).resolve() == Path(source).resolve():
        raise DataError(f"{output}: the output would overwrite the {what} file; choose another --output")


def evaluate_command(spec: RunSpec, output: Path | None = None, save_predictions: Path | None = None) -> tuple[str, Path]:
    from bench import runner
    from bench.evaluate import paused_gc
    from bench.predictions import write_predictions
    from bench.results import write_result
    from bench.summary import render

    for out in (output, save_predictions):
        if out is not None:
            _refuse_overwriting(out, spec.predictions, "--predictions")
    if spec.shard is not None and spec.predictions is not None and spec.name is None:
        # shard files "x.shard-0-of-4.jsonl" are parts of one run "file:x.jsonl"
        base = re.sub(r"\.shard-\d+-of-\d+(?=\.jsonl$|$)", "", Path(spec.predictions).name)
        spec = replace(spec, name="file:" + base)
    outcome = runner.evaluate(spec, keep_predictions=save_predictions is not None)
    rec = outcome.record
    if save_predictions is not None:
        scheme = outcome.label_scheme if "entities" in rec.extractor.tasks else None
        write_predictions(save_predictions, outcome.predictions, scheme)
    out = Path(output) if output else default_output(spec, rec.extractor.name)
    timings, counts = outcome.timings, outcome.counts
    del outcome  # the predictions: a big run's largest objects
    with paused_gc():
        write_result(out, rec, timings, counts)
    return render(rec), out


def from_result_spec(path: Path, trust_remote_code: bool = False, **overrides) -> RunSpec:
    """The run a result file records, to repeat it; a model's own code runs only with the flag."""
    from bench.results import read_result
    from bench.runner import spec_from_result

    spec = spec_from_result(read_result(path), **overrides)
    args = tuple((k, v) for k, v in spec.model_args if k != TRUST)
    if trust_remote_code:
        args = tuple(sorted(args + ((TRUST, "true"),)))
    return replace(spec, model_args=args)


def merge_command(paths: list[Path], output: Path) -> tuple[str, Path]:
    from bench.results import write_result
    from bench.shards import merge
    from bench.summary import render

    rec = merge(paths)
    write_result(Path(output), rec)
    return render(rec), Path(output)


def compare_results(path_a: Path, path_b: Path, task: str | None, metric: str | None, method: str,
                    seed: int, n_resamples: int, unit: str = "document", alpha: float = 0.05) -> str:
    from bench.comparison import compare

    return compare(path_a, path_b, task, metric, method, seed, n_resamples, unit=unit, alpha=alpha)
