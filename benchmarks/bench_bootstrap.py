"""Bootstrap cost: 1,000 resamples over the per-document (and per-sentence) count tables of
a synthetic corpus, for every task's headline metrics, against the straightforward
implementation (one table at a time, bincount + BLAS).  Tables drawn unit by unit must
match it exactly; tables drawn as counts of their distinct rows (``bench.stats``: 1,024
units or more, at most half of them distinct) draw other random numbers from the same
distribution, so their bounds are compared within Monte Carlo error.

    python benchmarks/bench_bootstrap.py --docs 100000 [--reference]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from common import DEFAULT_WORKDIR, best_of, dataset, machine


def reference_bootstrap(table, metrics, n_resamples: int, seed: int) -> dict[str, tuple[float, float]]:
    """The textbook version: resample units with PCG64(seed), sum counts, percentile interval."""
    cols = sorted({table.column(f) for m in metrics for f in m.fields})
    v = table.values[:, cols]
    pos = {c: i for i, c in enumerate(cols)}
    rng = np.random.Generator(np.random.PCG64(seed))
    n, sums = len(v), []
    rows = max(1, (1 << 23) // n)
    for start in range(0, n_resamples, rows):
        b = min(rows, n_resamples - start)
        idx = rng.integers(0, n, size=(b, n))
        w = np.stack([np.bincount(r, minlength=n) for r in idx]).astype(float)
        sums.append(w @ v)
    s = np.concatenate(sums)
    out = {}
    for m in metrics:
        lo, hi = np.quantile(m(s[:, [pos[table.column(f)] for f in m.fields]]), [0.025, 0.975])
        out[m.name] = (float(lo), float(hi))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3, help="best of N")
    ap.add_argument("--reference", action="store_true", help="also time the straightforward implementation")
    ap.add_argument("--workdir", default=DEFAULT_WORKDIR)
    a = ap.parse_args()
    from bench import evaluate as ev
    from bench.corpus import load_dataset_dir
    from bench.predictions import read_predictions
    from bench.stats import bootstrap_many

    print(json.dumps(machine()))
    data = dataset(a.docs, a.workdir)
    with ev.paused_gc():
        corpus = load_dataset_dir(data / "dataset")
        preds = read_predictions(data / "predictions.jsonl", corpus)
        docs, gold = list(corpus.documents), list(corpus.gold)
        counted = [ev.count_task(t, corpus, gold, preds, docs, "ontonotes") for t in ("entities", "timex", "stance")]
    del preds
    doc_jobs = [(c.doc_table, c.headline) for c in counted]
    sent_jobs = [(c.sub_table, c.headline) for c in counted]
    cols = sum(len({f for m in c.headline for f in m.fields}) for c in counted)
    print(f"{a.docs} documents, {len(counted[0].sub_table.units)} sentences, {len(counted[2].sub_table.units)} "
          f"(doc, claim) pairs; {cols} count columns behind {sum(len(c.headline) for c in counted)} headline metrics")

    t_doc, doc_ci = best_of(lambda: bootstrap_many(doc_jobs, a.resamples, 12345), a.repeat)
    print(f"bootstrap over documents, all tasks, {a.resamples} resamples: {t_doc:.2f} s")
    for c, (table, metrics) in zip(counted, doc_jobs):
        t, _ = best_of(lambda: bootstrap_many([(table, metrics)], a.resamples, 12345), a.repeat)
        print(f"  {c.task:8} alone: {t:.2f} s")
    t_sent, _ = best_of(lambda: bootstrap_many(sent_jobs, a.resamples, 12345), 1)
    print(f"bootstrap over sentences and (doc, claim) pairs, all tasks: {t_sent:.2f} s")
    if a.reference:
        t0 = time.perf_counter()
        ref = [reference_bootstrap(tab, ms, a.resamples, 12345) for tab, ms in doc_jobs]
        t_ref = time.perf_counter() - t0
        from bench.stats import _joint_patterns, _needed

        unit_drawn = [_joint_patterns([_needed(tab, ms)[1]]) is None for tab, ms in doc_jobs]
        same = all(ci[name].low == lo and ci[name].high == hi
                   for ci, r, u in zip(doc_ci, ref, unit_drawn) if u for name, (lo, hi) in r.items())
        gap = max((max(abs(ci[name].low - lo), abs(ci[name].high - hi))
                   for ci, r, u in zip(doc_ci, ref, unit_drawn) if not u for name, (lo, hi) in r.items()
                   if np.isfinite(lo) and np.isfinite(hi)), default=0.0)
        tasks = ", ".join(f"{c.task} {'units' if u else 'distinct rows'}" for c, u in zip(counted, unit_drawn))
        print(f"reference (per table, bincount + multi-threaded BLAS) over documents: {t_ref:.2f} s; drawn by "
              f"{tasks}; identical intervals where drawn unit by unit: {same}; largest bound difference where "
              f"drawn as distinct rows: {100 * gap:.3f} points")


if __name__ == "__main__":
    sys.exit(main())
