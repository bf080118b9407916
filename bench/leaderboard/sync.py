"""Rendering the committed runs, and keeping them true: ``update`` re-runs every model
(through ``bench.runner``) and re-scores every submission's predictions, and writes its
run file; ``check`` does the same in memory and names every stale cell, so a committed
number can always be reproduced; ``add_submission`` validates, scores and adds one.

Output bytes depend only on the run files (no timestamps, fixed orders).  A suite's
files (runs, Markdown, JSON, HTML) are written as one tree (``io.atomic_write_tree``)
when its runs live under its output folder, so an interrupted update leaves the old
leaderboard or the new one; the README section follows in a separate atomic write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.io import DataError, atomic_write_bytes, atomic_write_text, atomic_write_tree
from bench.leaderboard import page as page_mod
from bench.leaderboard import text as text_mod
from bench.leaderboard.submissions import META_FILE, PREDICTIONS_FILE, Submission, load_submissions, read_submission
from bench.leaderboard.submissions import score as score_submission
from bench.leaderboard.suites import README, Suite
from bench.leaderboard.table import Run, cells, load_runs, run_file_name, sort_runs
from bench.results import RunRecord, result_files, round_trip, to_json

Echo = Callable[[str], None]


def show(path: Path) -> str:
    """A path relative to the working directory when below it (messages name files as users see them)."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _rel(path: Path) -> str:
    from bench.corpus import REPO_ROOT

    try:
        return Path(path).resolve().relative_to(REPO_ROOT.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def rendered(runs: list[Run], suite: Suite) -> dict[Path, str]:
    """Every output file's text, computed before anything is written."""
    out = suite.out_dir
    return {
        out / "leaderboard.md": text_mod.markdown(runs, _rel(suite.runs_dir)),
        out / "leaderboard.json": text_mod.dumps(text_mod.leaderboard_json(runs, out)),
        out / "index.html": page_mod.html_page(runs, suite.title),
    }


def _readme(runs: list[Run], suite: Suite, readme: Path | None, notes: list[str]) -> dict[Path, str]:
    if readme is None or not Path(readme).is_file():
        return {}
    old = Path(readme).read_text(encoding="utf-8")
    new = text_mod.replace_section(old, text_mod.readme_section(runs, _rel(suite.out_dir / "index.html")), suite.marker)
    if new is None:
        start, end = (f"<!-- {suite.marker}:start -->", f"<!-- {suite.marker}:end -->")
        notes.append(f"note: {show(readme)} has no {start} ... {end} markers; README left alone")
        return {}
    return {Path(readme): new} if new != old else {}


def _bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _publish(files: Mapping[Path, str | bytes], suite: Suite, readme: Path | None) -> None:
    """The suite's files as one tree where they share a root; then the README."""
    tree = {p: t for p, t in files.items() if readme is None or p != Path(readme)}
    root = suite.out_dir.resolve()
    if tree and all(p.resolve().is_relative_to(root) for p in tree):
        current = {} if not root.is_dir() else {
            p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}
        current.update({p.resolve().relative_to(root).as_posix(): _bytes(t) for p, t in tree.items()})
        atomic_write_tree(root, current)
    else:
        for path, content in tree.items():
            atomic_write_bytes(path, _bytes(content))
    if readme is not None and Path(readme) in files:
        atomic_write_text(Path(readme), files[Path(readme)])


def render(suite: Suite, readme: Path | None = README) -> list[str]:
    """Write the leaderboard files (and the README section) from the committed runs."""
    runs = load_runs(suite.runs_dir, load_submissions(suite.submissions_dir))
    notes: list[str] = []
    files = rendered(runs, suite)
    files.update(_readme(runs, suite, readme, notes))
    _publish(files, suite, readme)
    return [f"wrote {show(p)}" for p in files if not p.name.endswith(".counts.parquet")] + notes


def registered_models() -> dict[str, str]:
    """Every registered extractor that runs without a target, by name (what the leaderboard runs)."""
    from bench.extractors import runnable_names

    return {name: name for name in runnable_names()}


def fresh_run(model: str, suite: Suite, seed: int, n_resamples: int) -> tuple[RunRecord, dict]:
    """A real run through the runner, returned as a run file would hold it (figures rounded)."""
    from bench import runner

    outcome = runner.evaluate(runner.RunSpec(model=model, dataset=suite.name, seed=seed, n_resamples=n_resamples))
    return round_trip(outcome.record), outcome.timings


def fresh_submission(sub: Submission, suite: Suite, seed: int, n_resamples: int) -> tuple[RunRecord, dict]:
    """A submission's predictions scored now (never its submitter's numbers), as a run file holds it."""
    rec, timings = score_submission(sub, suite.name, seed, n_resamples)
    return round_trip(rec), timings


@dataclass(frozen=True)
class Source:
    """What makes one row: a registered extractor the runner runs, or a submission it scores."""

    name: str
    kind: str  # "registered extractor" | "submission": how messages name it
    make: Callable[[int, int], tuple[RunRecord, dict]]  # (seed, resamples) -> (record, timings)
    submission: Submission | None = None


def sources(suite: Suite, models: Mapping[str, str] | None) -> list[Source]:
    """Every row's source: the registered extractors, then the suite's submissions."""
    models = registered_models() if models is None else models
    subs = load_submissions(suite.submissions_dir)
    clash = sorted(set(subs) & set(models))
    if clash:
        raise DataError(f"submission {clash[0]!r} has the name of a registered extractor; rename the submission")
    out = [Source(name, "registered extractor", lambda seed, n, spec=spec: fresh_run(spec, suite, seed, n))
           for name, spec in models.items()]
    out += [Source(name, "submission", lambda seed, n, sub=sub: fresh_submission(sub, suite, seed, n), sub)
            for name, sub in subs.items()]
    return out


def update_runs(suite: Suite, readme: Path | None = README, models: Mapping[str, str] | None = None,
                seed: int | None = None, n_resamples: int | None = None, echo: Echo = lambda s: None) -> list[str]:
    """Run every model for real, then write its run file and timings with the pages."""
    from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED
    files: dict[Path, str | bytes] = {}
    runs, notes = [], []
    for source in sources(suite, models):
        echo(f"{'running' if source.submission is None else 'scoring submission'} {source.name} ...")
        rec, timings = source.make(DEFAULT_SEED if seed is None else seed,
                                   DEFAULT_RESAMPLES if n_resamples is None else n_resamples)
        path = suite.runs_dir / run_file_name(rec.extractor.name)
        files.update(result_files(path, rec, timings))
        runs.append(Run(path, rec, tuple(sorted((k, round(v, 3)) for k, v in timings.items())), source.submission))
    written = {p.name for p in files}
    if suite.runs_dir.is_dir():
        from bench.results import read_result

        for p in sorted(suite.runs_dir.glob("*.json")):
            if p.name not in written and not p.name.endswith(".timings.json"):
                notes.append(f"note: {show(p)} belongs to no registered extractor or submission; delete it, "
                             "register one or submit one")
                runs.append(Run(p, read_result(p)))
    runs = sort_runs(runs)
    files.update(rendered(runs, suite))
    files.update(_readme(runs, suite, readme, notes))
    _publish(files, suite, readme)
    return [f"wrote {show(p)}" for p in files if not p.name.endswith(".counts.parquet")] + notes


def _json_diffs(a, b, path: str = "", limit: int = 3) -> list[str]:
    """Paths where two JSON values differ (committed a, now b), at most limit."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                out.append(f"{path}{k}: {'missing' if k not in a else repr(a[k])[:60]} committed, "
                           f"{'missing' if k not in b else repr(b[k])[:60]} now")
            else:
                out += _json_diffs(a[k], b[k], f"{path}{k}.", limit)
            if len(out) >= limit:
                break
        return out[:limit]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out += _json_diffs(x, y, f"{path}{i}.", limit)
        return out[:limit]
    return [] if a == b else [f"{path.rstrip('.')}: committed {json.dumps(a)[:60]}, now {json.dumps(b)[:60]}"]


def _cell_diffs(where: str, old: Mapping[str, Mapping[str, str]], new: Mapping[str, Mapping[str, str]]) -> list[str]:
    out = []
    for model in list(new) + [m for m in old if m not in new]:
        if model not in old:
            out.append(f"{where}: row {model} missing (expected it)")
        elif model not in new:
            out.append(f"{where}: row {model} should not be there")
        else:
            for col, now in new[model].items():
                was = old[model].get(col)
                if was != now:
                    out.append(f"{where}: row {model}, column {col!r}: committed {was or '(none)'}, now {now}")
    return out


def _line_diff(where: str, old: str, new: str) -> list[str]:
    a, b = old.splitlines(), new.splitlines()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "(end of file)"
        y = b[i] if i < len(b) else "(end of file)"
        if x != y:
            col = next((k for k, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            lo = max(col - 30, 0)
            return [f"{where}:{i + 1}:{col + 1}: committed {x[lo:col + 50]!r}, now {y[lo:col + 50]!r}"]
    return [f"{where}: differs (line endings or trailing newline)"]


def _env_note(old: Run, rec: RunRecord) -> str | None:
    if old.record.environment == rec.environment:
        return None
    a, b = dict(old.record.environment), dict(rec.environment)
    changed = ", ".join(f"{k} {a.get(k, '-')} -> {b.get(k, '-')}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
    return f"note: {show(old.path)}: environment differs from the committed run ({changed})"


def check(suite: Suite, readme: Path | None = README, models: Mapping[str, str] | None = None,
          echo: Echo = lambda s: None) -> list[str]:
    """Problems that make the committed leaderboard stale; [] when it is up to date.  Writes
    nothing.  An environment-only difference (library versions) is a note, not a problem."""
    from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED

    todo = sources(suite, models)
    subs = {x.name: x.submission for x in todo if x.submission is not None}
    committed = {r.name: r for r in load_runs(suite.runs_dir, subs)} if suite.runs_dir.is_dir() else {}
    problems = []
    known = {}
    fresh: list[Run] = []
    for source in todo:
        name = source.name
        old = committed.get(name)
        rec, _ = source.make(old.record.seed if old else DEFAULT_SEED,
                             old.record.n_resamples if old else DEFAULT_RESAMPLES)
        known[rec.extractor.name] = name
        old = committed.get(rec.extractor.name, old)
        if old is None:
            problems.append(f"{show(suite.runs_dir / run_file_name(rec.extractor.name))}: {source.kind} "
                            f"{name!r} has no committed run; run `bench leaderboard --update-runs`")
        else:
            note = _env_note(old, rec)
            if note:
                echo(note)
                rec = replace(rec, environment=old.record.environment)
        run = Run(old.path if old else suite.runs_dir / run_file_name(rec.extractor.name), rec,
                  old.timings if old else (), source.submission)
        fresh.append(run)
        if old is not None:
            a, b = json.loads(json.dumps(to_json(old.record))), json.loads(json.dumps(to_json(rec)))
            if a == b and any(x.counts != y.counts or x.sub_counts != y.sub_counts
                              for x, y in zip(old.record.tasks, rec.tasks)):
                a = {**a, "counts": "committed"}  # the same figures from other counts: still stale
                b = {**b, "counts": "now"}
            if a != b:
                where = show(old.path)
                diffs = _cell_diffs(where, {old.name: cells(old)}, {run.name: cells(run)}) or _json_diffs(a, b, f"{where}: ")
                problems += diffs + [f"{where}: stale; run `bench leaderboard --update-runs`"]
    for name, run in committed.items():
        if name not in known:
            problems.append(f"{show(run.path)}: run of {name!r}, which is not a registered extractor "
                            "or a submission")
            fresh.append(run)
    fresh = sort_runs(fresh)
    for path, text in rendered(fresh, suite).items():
        where = show(path)
        if not path.is_file():
            problems.append(f"{where}: missing; run `bench leaderboard`")
            continue
        old_text = path.read_text(encoding="utf-8")
        if old_text == text:
            continue
        if path.suffix == ".md":
            diffs = _cell_diffs(where, text_mod.parse_markdown_table(old_text), text_mod.parse_markdown_table(text))
        elif path.suffix == ".json":
            try:
                diffs = _json_diffs(json.loads(old_text), json.loads(text), f"{where}: ")
            except json.JSONDecodeError:
                diffs = [f"{where}: not valid JSON"]
        else:
            diffs = []
        problems += diffs or _line_diff(where, old_text, text)
    if readme is not None and Path(readme).is_file():
        old_text = Path(readme).read_text(encoding="utf-8")
        section = text_mod.readme_section(fresh, _rel(suite.out_dir / "index.html"))
        new = text_mod.replace_section(old_text, section, suite.marker)
        if new is not None and new != old_text:
            (a, b), (c, d) = text_mod.markers(old_text, suite.marker), text_mod.markers(new, suite.marker)
            problems += (_cell_diffs(show(readme), text_mod.parse_markdown_table(old_text[a:b]),
                                     text_mod.parse_markdown_table(new[c:d]))
                         or _line_diff(show(readme), old_text, new))
    return problems


def add_submission(folder: Path, suites: Sequence[Suite], readme: Path | None = README,
                   models: Mapping[str, str] | None = None, echo: Echo = lambda s: None) -> list[str]:
    """Validate a submission folder, score it, and add it (its files, its run, the pages) to the
    leaderboard of the dataset it names.  Nothing is written unless all of it can be."""
    from bench.evaluate import DEFAULT_RESAMPLES, DEFAULT_SEED
    from bench.extractors import registered

    from bench.corpus import resolve_dataset

    sub = read_submission(folder)
    suite = next((s for s in suites if resolve_dataset(s.name)[1] == sub.dataset), None)
    if suite is None:
        raise DataError(f"{show(Path(folder) / META_FILE)}: dataset {sub.dataset!r} has no leaderboard; "
                        f"the leaderboards are for {', '.join(repr(resolve_dataset(s.name)[1]) for s in suites)}")
    if suite.submissions_dir is None:
        raise DataError(f"the leaderboard of {suite.name!r} takes no submissions (no submissions folder in its suite)")
    subs = load_submissions(suite.submissions_dir)
    runs = load_runs(suite.runs_dir, subs) if suite.runs_dir.is_dir() else []
    taken = set(registered() if models is None else models) | set(subs) | {r.name for r in runs}
    target = suite.submissions_dir / sub.name
    if sub.name in taken or target.exists() or (suite.runs_dir / run_file_name(sub.name)).exists():
        raise DataError(f"{sub.name!r} is already on the {sub.dataset} leaderboard (a registered extractor, a run or "
                        "a submission); choose another name, or remove the old submission and its run first")
    seed = runs[0].record.seed if runs else DEFAULT_SEED  # the suite's runs share their bootstrap settings
    n_resamples = runs[0].record.n_resamples if runs else DEFAULT_RESAMPLES
    echo(f"scoring submission {sub.name} ...")
    rec, timings = fresh_submission(sub, suite, seed, n_resamples)
    files: dict[Path, str | bytes] = {target / META_FILE: (Path(folder) / META_FILE).read_bytes(),
                                      target / PREDICTIONS_FILE: sub.predictions.read_bytes()}
    path = suite.runs_dir / run_file_name(sub.name)
    files.update(result_files(path, rec, timings))
    placed = replace(sub, folder=target)
    runs = sort_runs(runs + [Run(path, rec, tuple(sorted((k, round(v, 3)) for k, v in timings.items())), placed)])
    notes: list[str] = []
    files.update(rendered(runs, suite))
    files.update(_readme(runs, suite, readme, notes))
    _publish(files, suite, readme)
    return ([f"added submission {sub.name} to the {sub.dataset} leaderboard"]
            + [f"wrote {show(p)}" for p in files if not p.name.endswith(".counts.parquet")] + notes)


def run_suite(action: str, suite: Suite, readme: Path | None = README, echo: Echo = lambda s: None,
              models: Mapping[str, str] | None = None) -> list[str]:
    """render / update / check one suite; returns output lines (check: problems)."""
    if action == "render":
        return render(suite, readme)
    if action == "update":
        return update_runs(suite, readme, models, echo=echo)
    if action == "check":
        return check(suite, readme, models, echo=echo)
    raise DataError(f"unknown leaderboard action {action!r}")
