"""The plain functions behind the CLI commands (testable without a terminal)."""

from __future__ import annotations

import re
from pathlib import Path

from bench.io import DataError


def _claims(path: Path | None):
    from bench.corpus import load_dataset_dir
    from bench.io import read_jsonl, require
    from bench.types import Claim

    if path is None:
        return load_dataset_dir().claims
    return tuple(Claim(require(o, "claim_id", str, f"{path}:{n}"), require(o, "text", str, f"{path}:{n}"))
                 for n, o in read_jsonl(path))


def _model_options(model: str, trust_remote_code: bool) -> dict:
    if not trust_remote_code:
        return {}
    if not model.startswith("hf:"):
        raise DataError("--trust-remote-code applies to hf:<model> extractors only")
    return {"trust_remote_code": True}


def predict_file(model: str, input_path: Path, output: Path, claims_path: Path | None = None,
                 shard: str | None = None, trust_remote_code: bool = False) -> int:
    from bench.evaluate import run_extractor
    from bench.extractors import load_extractor
    from bench.predictions import read_input_documents, write_predictions

    docs = read_input_documents(input_path)
    if shard is not None:
        from bench.shards import Shard

        docs = Shard.parse(shard).select(docs)
    claims = _claims(claims_path)
    extractor = load_extractor(model, **_model_options(model, trust_remote_code))
    preds = run_extractor(extractor, docs, claims)
    write_predictions(output, preds, _scheme_header(extractor))
    return len(preds)


def _scheme_header(extractor) -> str | None:
    """The label scheme to declare in a predictions file (entity extractors only)."""
    return extractor.label_scheme if "entities" in extractor.tasks else None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "run"


def evaluate_command(model, predictions, dataset, output, save_predictions, seed, resamples, partial,
                     label_scheme, progress=False, shard: str | None = None,
                     trust_remote_code: bool = False) -> tuple[str, Path]:
    from bench.corpus import load_dataset_dir, resolve_dataset
    from bench.evaluate import Settings, evaluate_extractor, evaluate_file, paused_gc
    from bench.results import write_result
    from bench.summary import render

    root, shown = resolve_dataset(dataset)
    with paused_gc():
        corpus = load_dataset_dir(root)
    settings = Settings(seed, resamples, partial, progress)
    if shard is not None:  # score documents i, i+n, ... and keep what merge-results needs
        from bench.shards import Shard, restrict

        if partial:
            raise DataError("--partial and --shard do not combine")
        shard = Shard.parse(shard)
        corpus = restrict(corpus, shard)
        settings = Settings(seed, resamples, partial, progress)
    if model is not None:
        from bench.extractors import load_extractor
        from bench.predictions import write_predictions

        if partial:
            raise DataError("--partial applies to --predictions only")
        extractor = load_extractor(model, **_model_options(model, trust_remote_code))
        rec, preds, timings = evaluate_extractor(extractor, corpus, shown, settings)
        if save_predictions:
            write_predictions(save_predictions, preds, _scheme_header(extractor))
        name = extractor.name
    else:
        run_name = None
        if shard is not None:  # shard files "x.shard-0-of-4.jsonl" are parts of one run "file:x.jsonl"
            run_name = "file:" + re.sub(r"\.shard-\d+-of-\d+(?=\.jsonl$|$)", "", Path(predictions).name)
        rec, timings = evaluate_file(predictions, corpus, shown, settings, label_scheme, name=run_name)
        name = Path(predictions).stem
    if shard is not None:
        from bench.shards import write_shard_result

        out = Path(output) if output else Path("results") / f"{_safe(name)}.{shard.file_suffix()}.json"
        write_shard_result(out, rec, shard, timings)
        return render(rec), out
    out = Path(output) if output else Path("results") / f"{_safe(name)}.json"
    write_result(out, rec, timings)
    return render(rec), out


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

    return compare(path_a, path_b, task, metric, method, seed, n_resamples, unit, alpha)
