"""Scoring at scale: `bench evaluate` end to end, the scoring step alone, seqeval and
nervaluate on the same synthetic data, and peak memory against corpus size.

    python benchmarks/bench_scoring.py --docs 100000 --rss-sizes 25000,50000,100000

Data (made once, cached under $BENCH_WORKDIR, default /tmp/kursk-ie-bench-scale):
`benchmarks/synth.py` -- about 20 entity spans per document and realistic errors.
Not run by pytest or CI: at 100,000 documents it takes minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
import time
import warnings
from pathlib import Path

from common import DEFAULT_WORKDIR, bench_cmd, best_of, counts, dataset, machine, run_process

SCHEMES = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def evaluate_process(data: Path, out: Path) -> dict:
    """`bench evaluate --predictions ... --dataset ...` as a whole process."""
    run = run_process(bench_cmd("evaluate", "--predictions", str(data / "predictions.jsonl"),
                                "--dataset", str(data / "dataset"), "-o", str(out), "-q"))
    run.update(json.loads(out.with_name(out.stem + ".timings.json").read_text()))
    return run


def load(data: Path):
    from bench.corpus import load_dataset_dir
    from bench.predictions import read_predictions

    corpus = load_dataset_dir(data / "dataset")
    return corpus, read_predictions(data / "predictions.jsonl", corpus)


def ours(corpus, preds, repeat: int) -> dict:
    """Entity scoring as `bench evaluate` does it, without the bootstrap: counts per document
    (4 schemes x 2 views x overall + per label) and every metric."""
    from bench.scoring import get_task

    scorer = get_task("entities")
    docs, gold = list(corpus.documents), list(corpus.gold)

    def run():
        (table,) = scorer.count_units(docs, gold, preds, corpus.claims, ("document",))
        return scorer.evaluate(table), table

    seconds, (points, table) = best_of(run, repeat)
    tot = dict(zip(table.fields, table.total().tolist()))
    return {"seconds": seconds, "points": points, "totals": tot}


def _bio(text: str, ents) -> list[str]:
    tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    first = {s: i for i, (s, _) in enumerate(tokens)}
    last = {e: i for i, (_, e) in enumerate(tokens)}
    tags = ["O"] * len(tokens)
    for e in ents:  # synthetic spans cover whole whitespace tokens
        a, b = first[e.start], last[e.end]
        tags[a] = "B-" + e.label
        for k in range(a + 1, b + 1):
            tags[k] = "I-" + e.label
    return tags


def seqeval_run(corpus, preds, repeat: int) -> dict:
    from seqeval.metrics import classification_report, f1_score

    y_true = [_bio(d.text, g.entities) for d, g in zip(corpus.documents, corpus.gold)]
    y_pred = [_bio(d.text, p.entities) for d, p in zip(corpus.documents, preds)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, micro = best_of(lambda: f1_score(y_true, y_pred), repeat)
        # the strict figures ours reports: micro, macro and per-label P/R/F1 in one call
        report_s, report = best_of(lambda: classification_report(y_true, y_pred, output_dict=True, digits=6), repeat)
    return {"seconds": seconds, "report_seconds": report_s, "micro_f1": micro,
            "macro_f1": report["macro avg"]["f1-score"], "report": report, "tokens": sum(map(len, y_true))}


def nervaluate_run(corpus, preds, labels, repeat: int) -> dict:
    from nervaluate import Evaluator

    def dicts(anns):  # nervaluate's ends are inclusive
        return [[{"label": e.label, "start": e.start, "end": e.end - 1}
                 for e in sorted(a.entities, key=lambda e: (e.start, e.end, e.label))] for a in anns]

    true, pred = dicts(corpus.gold), dicts(preds)
    seconds, res = best_of(lambda: Evaluator(true, pred, tags=list(labels), loader="dict").evaluate(), repeat)
    return {"seconds": seconds, "result": res}


def compare_nervaluate(mine: dict, nv: dict, labels) -> tuple[int, float]:
    """(number of figures compared, largest absolute difference); counts must match exactly."""
    res, n, worst = nv["result"], 0, 0.0
    for scheme, name in SCHEMES.items():
        o = res["overall"][name]
        ours_raw = [mine["totals"][f"ontonotes.{scheme}.ALL.{k}"] for k in ("cor", "inc", "par", "mis", "spu")]
        theirs = [o.correct, o.incorrect, o.partial, o.missed, o.spurious]
        if ours_raw != theirs:
            raise AssertionError(f"{scheme}: counts {ours_raw} != nervaluate {theirs}")
        for k, v in (("micro_p", o.precision), ("micro_r", o.recall), ("micro_f1", o.f1)):
            worst = max(worst, abs(mine["points"][f"ontonotes.{scheme}.{k}"] - v))
            n += 1
        for lab in labels:
            if lab not in res["entities"]:
                continue
            e = res["entities"][lab][name]
            if (mine["totals"][f"ontonotes.{scheme}.{lab}.pos"], mine["totals"][f"ontonotes.{scheme}.{lab}.act"]) \
                    != (e.possible, e.actual):
                raise AssertionError(f"{scheme} {lab}: POS/ACT differ from nervaluate")
            for k, v in (("p", e.precision), ("r", e.recall), ("f1", e.f1)):
                worst = max(worst, abs(mine["points"][f"ontonotes.{scheme}.{lab}.{k}"] - v))
                n += 1
    return n, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000, help="documents in the comparison run")
    ap.add_argument("--rss-sizes", default="", help="comma-separated corpus sizes for the memory curve")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--repeat", type=int, default=1, help="best of N for the in-process timings")
    ap.add_argument("--skip-nervaluate", action="store_true")
    ap.add_argument("--skip-seqeval", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    from bench.types import ENTITY_LABELS

    report: dict = {"machine": machine(), "docs": a.docs}
    print(json.dumps(report["machine"]))
    data = dataset(a.docs, a.workdir)
    report["data"] = counts(data)
    print(f"data: {report['data']}")

    # first, while this process is small: a forked child starts with its parent's peak RSS
    sizes = [int(x) for x in a.rss_sizes.split(",") if x.strip()]
    if sizes:
        report["memory"] = []
        print("peak RSS of `bench evaluate` by corpus size:")
        for n_docs in sizes:
            d = dataset(n_docs, a.workdir)
            run = evaluate_process(d, a.workdir / f"result_{n_docs}.json")
            row = {"docs": n_docs, **counts(d), **run, "kib_per_doc": run["max_rss_mib"] * 1024 / n_docs}
            report["memory"].append(row)
            print(f"  {n_docs:>7} docs: {run['max_rss_mib']:7.0f} MiB peak, {row['kib_per_doc']:.1f} KiB/doc, "
                  f"{run['wall_s']:.1f} s wall")

    same_size = [r for r in report.get("memory", []) if r["docs"] == a.docs]
    e2e = same_size[0] if same_size else evaluate_process(data, a.workdir / f"result_{a.docs}.json")
    report["evaluate_process"] = e2e
    print(f"bench evaluate (whole process): {e2e['wall_s']:.1f} s, peak RSS {e2e['max_rss_mib']:.0f} MiB "
          f"(read {e2e['read_s']:.1f} s, score+bootstrap {e2e['score_s']:.1f} s)")

    # every tool below runs with the cyclic GC paused, as `bench evaluate` runs its scoring
    gc.disable()
    t0 = time.perf_counter()
    corpus, preds = load(data)
    print(f"in-process load (gold + predictions): {time.perf_counter() - t0:.1f} s")
    mine = ours(corpus, preds, max(a.repeat, 3))
    report["ours_entities_s"] = mine["seconds"]
    print(f"ours, entities (4 schemes x 2 views, per label, all metrics): {mine['seconds']:.2f} s")
    print(f"  ontonotes.strict.micro_f1 = {mine['points']['ontonotes.strict.micro_f1']!r}  "
          f"macro_f1 = {mine['points']['ontonotes.strict.macro_f1']!r}")

    if not a.skip_seqeval:
        sq = seqeval_run(corpus, preds, a.repeat)
        report["seqeval"] = {k: v for k, v in sq.items()}
        same = sq["micro_f1"] == mine["points"]["ontonotes.strict.micro_f1"]
        print(f"seqeval f1_score (micro only, {sq['tokens']:,} BIO tokens): {sq['seconds']:.2f} s "
              f"-> ours {sq['seconds'] / mine['seconds']:.1f}x faster")
        print(f"seqeval classification_report (micro, macro, per label): {sq['report_seconds']:.2f} s "
              f"-> ours {sq['report_seconds'] / mine['seconds']:.1f}x faster")
        labels = [k for k in sq["report"] if k.isupper()]
        worst = max(abs(sq["report"][lab]["f1-score"] - mine["points"][f"ontonotes.strict.{lab}.f1"]) for lab in labels)
        print(f"  seqeval micro_f1 = {sq['micro_f1']!r} (identical: {same}); macro_f1 = {sq['macro_f1']!r} "
              f"(diff {abs(sq['macro_f1'] - mine['points']['ontonotes.strict.macro_f1']):.1e}); "
              f"per-label F1 of {len(labels)} labels: largest difference {worst:.1e}")
        del report["seqeval"]["report"]
        report["seqeval"]["identical_micro"] = same
    if not a.skip_nervaluate:
        nv = nervaluate_run(corpus, preds, ENTITY_LABELS, a.repeat)
        n, worst = compare_nervaluate(mine, nv, ENTITY_LABELS)
        report["nervaluate"] = {"seconds": nv["seconds"], "figures_compared": n, "max_abs_diff": worst}
        print(f"nervaluate Evaluator.evaluate (4 schemes, per label): {nv['seconds']:.2f} s "
              f"-> ours {nv['seconds'] / mine['seconds']:.1f}x faster")
        print(f"  {n} P/R/F1 figures + all COR/INC/PAR/MIS/SPU and POS/ACT counts compared: "
              f"counts identical, largest difference {worst:.1e}")
        for scheme, name in SCHEMES.items():
            print(f"  {scheme:8} ours F1 {mine['points'][f'ontonotes.{scheme}.micro_f1']!r:22} "
                  f"nervaluate F1 {nv['result']['overall'][name].f1!r}")
    del corpus, preds

    if a.json:
        a.json.write_text(json.dumps(report, indent=1, default=str) + "\n")


if __name__ == "__main__":
    sys.exit(main())
