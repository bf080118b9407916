"""Command line: each command parses options and calls a plain function.

Heavy libraries load only inside commands, so `bench --help` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Kursk IE bench: score entity, TIMEX3 and claim-stance extractors on gold news data.")

MODEL_HELP = ("Registered name (bench list-models), module:Class, hf:<model id or local folder>, or "
              "openai:<model> (any OpenAI-compatible chat endpoint).")
ARGS_HELP = ("Extractor options, key=value,... (e.g. stride=128,batch_size=16 for hf: models; "
             "base_url=...,temperature=0,seed=1 for openai: models).")
TRUST_HELP = "Let an hf: model run code from its repository (off by default)."


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
            _fail(" ".join(str(exc).split()))
        except MemoryError:
            _fail("out of memory; use fewer --resamples, --shard, or a smaller input")
        except OSError as exc:  # unreadable input, unwritable output, full disk
            _fail(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
    return wrapper


def _progress(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


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
    output: Path = typer.Option(None, "--output", "-o",
                                help="Output dataset directory (default: every built-in dataset under hf/)."),
    annotations: Path = typer.Option(None, help="Annotation directory (with --output)."),
    corpus: Path = typer.Option(None, help="Corpus directory (with --output)."),
    name: str = typer.Option(None, help="Title of a corpus other than the built-in ones (minimal card)."),
) -> None:
    """Generate the Hugging Face dataset directories (data files + card) from their annotations."""
    from bench.dataset_build import StaleDataset, build_command

    try:
        lines = build_command(check, output, annotations, corpus, name)
    except StaleDataset as exc:
        _fail(str(exc), 1)
    for line in lines:
        typer.echo(line)


@app.command()
@_guard
def agreement() -> None:
    """Recompute the annotation agreement report (data/agreement/report.{json,md})."""
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
    typer.echo("also: 'module.path:ClassName', 'hf:<model id or local folder>' and 'openai:<model>'")


@app.command()
@_guard
def predict(
    model: str = typer.Option(..., "--model", "-m", help=MODEL_HELP),
    input: Path = typer.Option(..., "--input", "-i", help="JSONL documents: doc_id, text, optional dct."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write predictions (JSONL)."),
    claims: Optional[Path] = typer.Option(None, help="Claims JSONL (claim_id, text); default: the benchmark's."),
    model_args: Optional[str] = typer.Option(None, "--model-args", help=ARGS_HELP),
    shard: Optional[str] = typer.Option(None, help="i/n: only documents i, i+n, i+2n, ... of the input."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help=TRUST_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    engine: str = typer.Option("local", help="local (this process) or ray (Ray Data over a pool of workers; "
                               "pip install 'kursk-ie-bench\\[ray]'). The output is the same."),
    address: Optional[str] = typer.Option(None, help="With --engine ray: an existing cluster (ray://host:10001 or "
                                          "auto); default: a local cluster started for this command."),
    workers: int = typer.Option(2, help="With --engine ray: workers, each with its own copy of the model."),
    batch_size: int = typer.Option(64, help="With --engine ray: documents per batch."),
    cpus_per_worker: float = typer.Option(1.0, help="With --engine ray: CPUs each worker reserves."),
    gpus_per_worker: float = typer.Option(0.0, help="With --engine ray: GPUs each worker reserves."),
) -> None:
    """Run an extractor on arbitrary documents and write predictions in the JSONL prediction format."""
    from bench.engines import RayOptions
    from bench.runner import RunSpec
    from bench.workflows import model_args as parse_args
    from bench.workflows import predict_file

    spec = RunSpec(model=model, model_args=parse_args(model_args, trust_remote_code), shard=shard,
                   progress=_progress(quiet))
    n = predict_file(spec, input, output, claims, echo=lambda line: typer.echo(line, err=True), engine=engine,
                     ray_options=RayOptions(address, workers, batch_size, cpus_per_worker, gpus_per_worker))
    typer.echo(f"wrote predictions for {n} document(s) to {output}")


@app.command()
@_guard
def evaluate(
    model: Optional[str] = typer.Option(None, "--model", "-m", help=MODEL_HELP),
    model_args: Optional[str] = typer.Option(None, "--model-args", help=ARGS_HELP),
    predictions: Optional[Path] = typer.Option(None, help="Score a JSONL predictions file instead of a model."),
    from_result: Optional[Path] = typer.Option(None, "--from-result",
                                               help="Repeat the model run a result file records."),
    dataset: Optional[str] = typer.Option(None, help="Dataset directory in this package's format, or a built-in "
                                          "dataset's name: kursk-ie-bench (default), kursk-ie-bench-heldout."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Result JSON (default: results/<model>.json)."),
    save_predictions: Optional[Path] = typer.Option(None, help="Also write the predictions (JSONL)."),
    seed: Optional[int] = typer.Option(None, help=f"Bootstrap seed (default {DEFAULT_SEED})."),
    resamples: Optional[int] = typer.Option(None, help=f"Bootstrap resamples (default {DEFAULT_RESAMPLES})."),
    partial: bool = typer.Option(False, "--partial", help="Score only the documents present in --predictions."),
    label_scheme: Optional[str] = typer.Option(None, help="ontonotes|conll for --predictions, when the labels "
                                               "cannot tell (a header line may declare it instead)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    shard: Optional[str] = typer.Option(None, help="i/n: score documents i, i+n, ... only (see merge-results)."),
    trust_remote_code: bool = typer.Option(False, "--trust-remote-code", help=TRUST_HELP),
    workers: int = typer.Option(0, help="With --predictions: processes that read and count a big file's chunks "
                                "(0: one per CPU, at most 4; the result is the same for any number)."),
) -> None:
    """Score a model or a predictions file against the gold data; print a summary and write a result JSON."""
    from bench.runner import RunSpec
    from bench.workflows import evaluate_command, from_result_spec
    from bench.workflows import model_args as parse_args

    if from_result is not None:
        if model or predictions or model_args:
            _fail("--from-result repeats a recorded run: it does not combine with --model, --model-args or --predictions")
        spec = from_result_spec(from_result, trust_remote_code, dataset=dataset, seed=seed, n_resamples=resamples,
                                shard=shard)
    else:
        spec = RunSpec(model=model, model_args=parse_args(model_args, trust_remote_code) if model else (),
                       predictions=predictions, dataset=dataset,
                       seed=DEFAULT_SEED if seed is None else seed,
                       n_resamples=DEFAULT_RESAMPLES if resamples is None else resamples,
                       partial=partial, shard=shard, label_scheme=label_scheme)
        if model is None and (model_args or trust_remote_code):
            _fail("--model-args and --trust-remote-code apply to --model only")
    from dataclasses import replace

    text, path = evaluate_command(replace(spec, progress=_progress(quiet), workers=workers), output, save_predictions)
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
    seed: int = typer.Option(DEFAULT_SEED), resamples: int = typer.Option(10000),
) -> None:
    """Paired significance test between two result files over the same documents."""
    from bench.workflows import compare_results

    if method not in ("permutation", "bootstrap"):
        _fail(f"--method must be permutation or bootstrap, got {method!r}")
    if unit not in ("document", "sentence"):
        _fail(f"--unit must be document or sentence, got {unit!r}")
    if not 0 < alpha < 1:
        _fail(f"--alpha must be between 0 and 1, got {alpha}")
    if not 1 <= resamples <= 1_000_000:
        _fail(f"--resamples must be between 1 and 1,000,000, got {resamples}")
    if seed < 0:
        _fail(f"--seed must be 0 or more, got {seed}")
    typer.echo(compare_results(result_a, result_b, task, metric, method, seed, resamples, unit=unit, alpha=alpha))


@app.command()
@_guard
def leaderboard(
    runs: Optional[Path] = typer.Option(None, help="Run records of one custom leaderboard (with --output)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Output directory of that leaderboard."),
    readme: Optional[Path] = typer.Option(None, help="README whose marked section gets the table (default: README.md)"),
    submissions: Optional[Path] = typer.Option(None, help="Submitted runs of that custom leaderboard (with --output)."),
    check: bool = typer.Option(False, "--check", help="Re-run every registered extractor and re-score every "
                               "submission in memory; fail if stale."),
    update_runs: bool = typer.Option(False, "--update-runs", help="Re-run every registered extractor and re-score "
                                     "every submission, write their runs."),
    add_submission: Optional[Path] = typer.Option(None, "--add-submission", help="A folder with submission.json and "
                                                  "predictions.jsonl: validate, score and add it to its leaderboard."),
) -> None:
    """Render the leaderboards (leaderboard/suites.json) and the README tables from the committed run files."""
    from bench import leaderboard as lb

    if check + update_runs + (add_submission is not None) > 1:
        _fail("pass at most one of --check, --update-runs and --add-submission")
    action = "check" if check else "update" if update_runs else "render"
    suites = list(lb.load_suites())
    if runs or output or submissions:  # one custom leaderboard over the benchmark
        suites = [lb.Suite(suites[0].name, Path(runs or suites[0].runs_dir), Path(output or suites[0].out_dir),
                           suites[0].marker, suites[0].title,
                           Path(submissions) if submissions else None)]
    if add_submission is not None:
        for line in lb.add_submission(add_submission, suites, readme or lb.README,
                                      echo=lambda s: typer.echo(s, err=True)):
            typer.echo(line)
        return
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
    result: Path = typer.Option(..., help="Result JSON of a run."),
    predictions: Path = typer.Option(..., help="The run's predictions JSONL (`bench evaluate --save-predictions`)."),
    dataset: Optional[str] = typer.Option(None, help="Dataset directory or built-in dataset name (default: the "
                                          "one the result names)."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the HTML page."),
) -> None:
    """Write a self-contained HTML error-analysis page: spans gold vs predicted, stance grid, confusions."""
    from bench.report import report_command

    path, counts = report_command(result, predictions, dataset, output)
    for task, c in counts.items():
        if c is not None:
            typer.echo(f"{task:9} " + "  ".join(f"{k}={v}" for k, v in c.items()))
    typer.echo(f"wrote {path}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
