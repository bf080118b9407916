"""Command line: each command parses options and calls a plain function.

Heavy libraries load only inside commands, so `bench --help` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Kursk IE bench: score entity, TIMEX3 and claim-stance extractors on gold news data.")


def _fail(msg: str, code: int = 2) -> None:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(code)


def _guard(fn):
    """Turn known input errors into a one-line message and a non-zero exit."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from bench.extractors import ExtractorError
        from bench.io import DataError

        try:
            return fn(*args, **kwargs)
        except (DataError, ExtractorError) as exc:
            _fail(str(exc))
        except OSError as exc:  # unreadable input, unwritable output, full disk
            _fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
    return wrapper


@app.command()
@_guard
def validate(
    annotations: Path = typer.Option(None, help="Annotation directory (default: data/annotations)."),
    corpus: Path = typer.Option(None, help="Corpus directory (default: data/corpus)."),
) -> None:
    """Check the gold annotations: offsets, surface texts, overlaps, labels, TIMEX3 values, ids, hashes."""
    from bench.corpus import ANNOTATIONS_DIR, CORPUS_DIR
    from bench.validate import check_annotations

    problems = check_annotations(annotations or ANNOTATIONS_DIR, corpus or CORPUS_DIR)
    for p in problems:
        typer.echo(p, err=True)
    if problems:
        _fail(f"{len(problems)} problem(s) found", 1)
    typer.echo("annotations valid")


@app.command("build-dataset")
@_guard
def build_dataset(
    check: bool = typer.Option(False, "--check", help="Fail if the dataset files are stale; write nothing."),
    out: Path = typer.Option(None, help="Output dataset directory (default: every built-in dataset under hf/)."),
    annotations: Path = typer.Option(None, help="Annotation directory (with --out)."),
    corpus: Path = typer.Option(None, help="Corpus directory (with --out)."),
    name: str = typer.Option(None, help="Title of a corpus other than the built-in ones (minimal card)."),
) -> None:
    """Generate the Hugging Face dataset directories (data files + card) from their annotations."""
    from bench.corpus import BUILTIN_DATASETS
    from bench.dataset_build import build, stale_files

    if out is None:
        if annotations or corpus or name:
            _fail("--annotations, --corpus and --name describe a dataset of your own: pass --out too")
        jobs = [(d.source_dir, d.annotations, d.corpus, d.title) for d in BUILTIN_DATASETS.values()]
    else:
        if annotations is None or corpus is None:
            _fail("--out needs --annotations and --corpus (the built-in datasets are built without --out)")
        jobs = [(out, annotations, corpus, name or out.resolve().name)]
    for target, ann, corp, title in jobs:
        if check:
            stale = stale_files(target, ann, corp, title)
            if stale:
                _fail(f"{target}: dataset files stale against the annotations: {', '.join(stale)}; "
                      "run `bench build-dataset`", 1)
            typer.echo(f"{target.name}: dataset files up to date")
            continue
        for rel in build(target, ann, corp, title):
            typer.echo(f"wrote {target / rel}")


@app.command()
@_guard
def agreement() -> None:
    """Recompute the inter-annotator agreement report (data/agreement/report.{json,md})."""
    from bench.agreement import AGREEMENT_DIR, render_markdown, write_report

    typer.echo(render_markdown(write_report()))
    typer.echo(f"wrote {AGREEMENT_DIR / 'report.md'}")


@app.command()
@_guard
def power(
    check: bool = typer.Option(False, "--check", help="Fail if the power report or README section is stale."),
) -> None:
    """How small this benchmark is: interval widths and the smallest differences a paired test can detect."""
    from bench.power import write_or_check

    problems, lines = write_or_check(check)
    for line in problems:
        typer.echo(line, err=True)
    if problems:
        _fail(f"power report stale: {len(problems)} problem(s); run `bench power`", 1)
    for line in lines:
        typer.echo(line)


@app.command("list-models")
@_guard
def list_models() -> None:
    """Registered extractors (entry points group bench.extractors) and their tasks."""
    from bench.extractors import list_extractors

    for name, spec, tasks in list_extractors():
        typer.echo(f"{name:14} {tasks:28} {spec}")
    typer.echo("also: 'module.path:ClassName' and 'hf:<model id or local path>'")


@app.command()
@_guard
def predict(
    model: str = typer.Option(..., "--model", "-m", help="Registered name, module:Class or hf:<model>."),
    input: Path = typer.Option(..., "--input", "-i", help="JSONL documents: doc_id, text, optional dct."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write predictions (JSONL)."),
    claims: Optional[Path] = typer.Option(None, help="Claims JSONL (claim_id, text); default: the benchmark's."),
    shard: Optional[str] = typer.Option(None, help="i/n: only documents i, i+n, i+2n, ... of the input."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code",
                                           help="Let an hf: model run code from its repository (off by default)."),
) -> None:
    """Run an extractor on arbitrary documents and write predictions in the JSONL prediction format."""
    from bench.workflows import predict_file

    n = predict_file(model, input, output, claims, shard, trust_remote_code)
    typer.echo(f"wrote predictions for {n} document(s) to {output}")


@app.command()
@_guard
def evaluate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Registered name, module:Class or hf:<model>."),
    predictions: Optional[Path] = typer.Option(None, help="Score a JSONL predictions file instead of a model."),
    dataset: Optional[str] = typer.Option(None, help="Dataset directory in this package's format, or a built-in "
                                          "dataset's name: kursk-ie-bench (default), kursk-ie-bench-heldout."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Result JSON (default: results/<model>.json)."),
    save_predictions: Optional[Path] = typer.Option(None, help="Also write the model's predictions (JSONL)."),
    seed: int = typer.Option(12345, help="Bootstrap seed."),
    resamples: int = typer.Option(1000, help="Bootstrap resamples."),
    partial: bool = typer.Option(False, "--partial", help="Score only the documents present in --predictions."),
    label_scheme: Optional[str] = typer.Option(None, help="ontonotes|conll for --predictions (default: inferred)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    shard: Optional[str] = typer.Option(None, help="i/n: score documents i, i+n, ... only (see merge-results)."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code",
                                           help="Let an hf: model run code from its repository (off by default)."),
) -> None:
    """Score a model or a predictions file against the gold data; print a summary and write a result JSON."""
    from bench.workflows import evaluate_command

    if (model is None) == (predictions is None):
        _fail("pass exactly one of --model or --predictions")
    if label_scheme not in (None, "ontonotes", "conll"):
        _fail(f"--label-scheme must be ontonotes or conll, got {label_scheme!r}")
    if resamples < 1:
        _fail("--resamples must be at least 1")
    text, path = evaluate_command(model, predictions, dataset, output, save_predictions, seed, resamples,
                                  partial, label_scheme, progress=not quiet and sys.stderr.isatty(),
                                  shard=shard, trust_remote_code=trust_remote_code)
    typer.echo(text)
    typer.echo(f"wrote {path}")


@app.command("merge-results")
@_guard
def merge_results(
    shards: list[Path] = typer.Argument(..., help="Result files of `bench evaluate --shard i/n`, one per shard."),
    output: Path = typer.Option(..., "--output", "-o", help="Merged result JSON."),
) -> None:
    """Merge shard results into the result of one unsharded run (scores and intervals recomputed)."""
    from bench.workflows import merge_command

    text, path = merge_command(shards, output)
    typer.echo(text)
    typer.echo(f"wrote {path}")


@app.command()
@_guard
def compare(
    result_a: Path = typer.Argument(..., help="Result JSON of system A."),
    result_b: Path = typer.Argument(..., help="Result JSON of system B."),
    task: Optional[str] = typer.Option(None, help="Task (default: every task both ran)."),
    metric: Optional[str] = typer.Option(None, help="Metric (default: the task's main score)."),
    method: str = typer.Option("permutation", help="permutation (paired; exact up to 20 differing units, "
                                                   "Monte Carlo above) or bootstrap (paired bootstrap-t)."),
    unit: str = typer.Option("document", help="document, or sentence ((document, claim) pair for stance)."),
    alpha: float = typer.Option(0.05, help="Significance level: sets the interval and the reachability warning."),
    seed: int = typer.Option(12345), resamples: int = typer.Option(10000),
) -> None:
    """Paired significance test between two result files over the same documents."""
    from bench.workflows import compare_results

    if method not in ("permutation", "bootstrap"):
        _fail(f"--method must be permutation or bootstrap, got {method!r}")
    if unit not in ("document", "sentence"):
        _fail(f"--unit must be document or sentence, got {unit!r}")
    if not 0 < alpha < 1:
        _fail(f"--alpha must be between 0 and 1, got {alpha}")
    if resamples < 1:
        _fail(f"--resamples must be at least 1, got {resamples}")
    typer.echo(compare_results(result_a, result_b, task, metric, method, seed, resamples, unit=unit, alpha=alpha))


@app.command()
@_guard
def leaderboard(
    runs: Optional[Path] = typer.Option(None, help="Committed run records (default: leaderboard/runs)."),
    out: Optional[Path] = typer.Option(None, help="Output directory (default: leaderboard/)."),
    readme: Optional[Path] = typer.Option(None, help="README whose marked section gets the table (default: README.md)"),
    check: bool = typer.Option(False, "--check", help="Re-run every registered baseline in memory; fail if stale."),
    update_runs: bool = typer.Option(False, "--update-runs", help="Re-run every registered baseline, write its run."),
) -> None:
    """Render leaderboard/{leaderboard.md,leaderboard.json,index.html} and the README table from the run files."""
    from bench import leaderboard as lb

    if check and update_runs:
        _fail("pass at most one of --check and --update-runs")
    action = "check" if check else "update" if update_runs else "render"
    if runs or out:  # one custom leaderboard over the built-in dataset
        suites = [lb.Suite(lb.SUITES[0].name, runs or lb.RUNS_DIR, out or lb.OUT_DIR, "leaderboard")]
    else:
        suites = list(lb.SUITES)
    lines = []
    for suite in suites:
        lines += lb.run_suite(action, suite, readme or lb.README, echo=lambda s: typer.echo(s, err=True))
    if check:
        for p in lines:
            typer.echo(p, err=True)
        if lines:
            _fail(f"leaderboard stale: {len(lines)} problem(s)", 1)
        typer.echo("leaderboard up to date")
        return
    for line in lines:
        typer.echo(line)


@app.command()
@_guard
def report(
    model: Optional[str] = typer.Option(None, "--model", "-m", help="Registered name, module:Class or hf:<model>."),
    result: Optional[Path] = typer.Option(None, help="Result JSON of a run (with --predictions)."),
    predictions: Optional[Path] = typer.Option(None, help="The run's predictions JSONL (with --result)."),
    dataset: Optional[str] = typer.Option(None, help="Dataset directory or built-in dataset name (default: kursk-ie-bench)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the HTML page."),
) -> None:
    """Write a self-contained HTML error-analysis page: spans gold vs predicted, stance grid, confusions."""
    from bench.report import report_command

    by_file = result is not None or predictions is not None
    if (model is not None) == by_file or (by_file and (result is None or predictions is None)):
        _fail("pass --model, or both --result and --predictions")
    path, counts = report_command(model, result, predictions, dataset, out)
    for task, c in counts.items():
        if c is not None:
            typer.echo(f"{task:9} " + "  ".join(f"{k}={v}" for k, v in c.items()))
    typer.echo(f"wrote {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
