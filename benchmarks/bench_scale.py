"""Issue 16's ratios, measured in one run: `bench evaluate` as a whole process against
(a) just parsing its input files with the same JSON library (orjson) and (b) the
equivalent seqeval + nervaluate pipeline as a whole process; the result's sizes and
peak memory; and `bench predict --engine ray` against the single-process run.

    python benchmarks/bench_scale.py --docs 100000 --predict-docs 2000 --json out.json

Data: `benchmarks/synth.py` (made once under $BENCH_WORKDIR). Not run by pytest or CI.
Every figure is wall-clock seconds of a fresh interpreter (imports included), so the
ratios are what a user waits for.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import DEFAULT_WORKDIR, HERE, bench_cmd, counts, dataset, machine, run_process

# Parse every input line with orjson and keep the objects, as a loader that did nothing
# else would.
PARSE_ONLY = """
import sys, orjson
kept = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        kept.extend(orjson.loads(line) for line in f if line.strip())
print(len(kept))
"""

# The reference pipeline: load, then seqeval's classification_report and nervaluate's
# four schemes (bench_scoring.py's adapters; entities only, no bootstrap).
REFERENCE = """
import gc, sys
sys.path.insert(0, sys.argv[2])
gc.disable()
from pathlib import Path
import bench_scoring as b
from bench.corpus import load_dataset_dir
from bench.predictions import read_predictions
from bench.types import ENTITY_LABELS
corpus = load_dataset_dir(Path(sys.argv[1]) / "dataset")
preds = read_predictions(Path(sys.argv[3]), corpus)
b.seqeval_run(corpus, preds, 1)
b.nervaluate_run(corpus, preds, ENTITY_LABELS, 1)
"""


def _inputs(data: Path) -> list[str]:
    return [str(p) for p in sorted((data / "dataset").rglob("*.jsonl"))] + [str(data / "predictions.jsonl")]


def scale(data: Path, workdir: Path) -> dict:
    out = workdir / f"scale_{data.name}.json"
    evaluate = run_process(bench_cmd("evaluate", "--predictions", str(data / "predictions.jsonl"),
                                     "--dataset", str(data / "dataset"), "-o", str(out), "-q"))
    parse = run_process([sys.executable, "-c", PARSE_ONLY, *_inputs(data)])
    reference = run_process([sys.executable, "-c", REFERENCE, str(data), str(HERE), str(data / "predictions.jsonl")])
    sidecar = out.with_name(out.stem + ".counts.parquet")
    return {
        "evaluate": evaluate, "parse_only": parse, "seqeval_nervaluate": reference,
        "evaluate_over_parse": evaluate["wall_s"] / parse["wall_s"],
        "reference_over_evaluate": reference["wall_s"] / evaluate["wall_s"],
        "result_json_bytes": out.stat().st_size, "sidecar_bytes": sidecar.stat().st_size,
        "input_bytes": sum(Path(p).stat().st_size for p in _inputs(data)),
    }


def entity_only(data: Path, workdir: Path) -> dict:
    """The same two whole processes on the entity layer alone (a predictions file with
    only doc_id and entities): the work seqeval and nervaluate can do, both sides."""
    import orjson

    preds = workdir / f"{data.name}_entities.jsonl"
    if not preds.is_file():
        with open(data / "predictions.jsonl", "rb") as f, open(preds, "wb") as g:
            for line in f:
                row = orjson.loads(line)
                g.write(orjson.dumps({"doc_id": row["doc_id"], "entities": row["entities"]}) + b"\n")
    out = workdir / f"scale_{data.name}_entities.json"
    evaluate = run_process(bench_cmd("evaluate", "--predictions", str(preds), "--dataset", str(data / "dataset"),
                                     "-o", str(out), "-q"))
    reference = run_process([sys.executable, "-c", REFERENCE, str(data), str(HERE), str(preds)])
    return {"evaluate": evaluate, "seqeval_nervaluate": reference,
            "reference_over_evaluate": reference["wall_s"] / evaluate["wall_s"]}


def _predict_input(n_docs: int, workdir: Path) -> Path:
    """The first n_docs synthetic documents as `bench predict` input (doc_id, text, dct)."""
    src = dataset(max(n_docs, 20000), workdir) / "dataset" / "documents" / "test.jsonl"
    dst = workdir / f"predict_input_{n_docs}.jsonl"
    if not dst.is_file():
        with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as g:
            for _, line in zip(range(n_docs), f):
                row = json.loads(line)
                g.write(json.dumps({"doc_id": row["doc_id"], "text": row["text"], "dct": row.get("dct")}) + "\n")
    return dst


def predict(model: str, n_docs: int, workers: int, workdir: Path) -> dict:
    src = _predict_input(n_docs, workdir)
    local_out, ray_out = workdir / f"pred_{model}_local.jsonl", workdir / f"pred_{model}_ray.jsonl"
    local = run_process(bench_cmd("predict", "-m", model, "-i", str(src), "-o", str(local_out), "-q"))
    ray = run_process(bench_cmd("predict", "-m", model, "-i", str(src), "-o", str(ray_out), "-q",
                                "--engine", "ray", "--workers", str(workers)))
    return {"model": model, "docs": n_docs, "workers": workers, "local": local, "ray": ray,
            "identical": local_out.read_bytes() == ray_out.read_bytes(),
            "local_docs_per_s": n_docs / local["wall_s"], "ray_docs_per_s": n_docs / ray["wall_s"],
            "ray_over_local_throughput": local["wall_s"] / ray["wall_s"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100000, help="documents for the evaluate ratios (0: skip)")
    ap.add_argument("--predict-docs", type=int, default=2000, help="documents for the Ray comparison (0: skip)")
    ap.add_argument("--predict-models", default="regex", help="comma-separated extractors for the Ray comparison")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--entity-only", action="store_true",
                    help="also compare the two on a predictions file holding only the entity layer")
    ap.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args()
    report: dict = {"machine": machine()}
    if a.docs:
        data = dataset(a.docs, a.workdir)
        report["data"] = counts(data)
        s = report["scale"] = scale(data, a.workdir)
        print(f"{a.docs} docs: bench evaluate {s['evaluate']['wall_s']:.1f} s, peak {s['evaluate']['max_rss_mib']:.0f} MiB; "
              f"parse only {s['parse_only']['wall_s']:.1f} s ({s['evaluate_over_parse']:.1f}x); "
              f"seqeval+nervaluate {s['seqeval_nervaluate']['wall_s']:.1f} s ({s['reference_over_evaluate']:.1f}x ours); "
              f"result {s['result_json_bytes'] / 1e6:.2f} MB + sidecar {s['sidecar_bytes'] / 1e6:.1f} MB")
        if a.entity_only:
            e = report["entity_only"] = entity_only(data, a.workdir)
            print(f"entity layer only: bench evaluate {e['evaluate']['wall_s']:.1f} s, peak "
                  f"{e['evaluate']['max_rss_mib']:.0f} MiB; seqeval+nervaluate {e['seqeval_nervaluate']['wall_s']:.1f} s "
                  f"({e['reference_over_evaluate']:.1f}x ours)")
    report["predict"] = []
    for model in filter(None, a.predict_models.split(",")) if a.predict_docs else ():
        p = predict(model, a.predict_docs, a.workers, a.workdir)
        report["predict"].append(p)
        print(f"predict {model}, {a.predict_docs} docs: local {p['local_docs_per_s']:.0f} docs/s, "
              f"ray x{a.workers} {p['ray_docs_per_s']:.0f} docs/s ({p['ray_over_local_throughput']:.2f}x); "
              f"identical output: {p['identical']}")
    if a.json:
        a.json.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
