"""Start-up: whole-process times of `bench --help` and `bench evaluate --model regex`, and
`python -X importtime` evidence that heavy libraries are imported lazily.

    python benchmarks/bench_startup.py [--runs 10]

Uses hyperfine when it is on PATH (`apt-get install hyperfine`), else times the runs itself.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine

HEAVY = ("torch", "transformers", "spacy", "datasets", "sklearn", "scipy", "pandas", "sentence_transformers",
         "pyarrow", "numpy")


def timed(argv: list[str], runs: int, cwd: Path) -> dict:
    if shutil.which("hyperfine"):
        out = cwd / "hf.json"
        subprocess.run(["hyperfine", "--warmup", "2", "--runs", str(runs), "--style", "none", "-N",
                        "--export-json", str(out), " ".join(argv)], cwd=cwd, check=True, capture_output=True)
        r = json.loads(out.read_text())["results"][0]
        return {"tool": "hyperfine", "mean_s": r["mean"], "stddev_s": r["stddev"], "min_s": r["min"]}
    times = []
    for i in range(runs + 2):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        if i >= 2:  # warm-up runs fill the page cache
            times.append(time.perf_counter() - t0)
    return {"tool": "subprocess", "mean_s": statistics.mean(times), "stddev_s": statistics.pstdev(times),
            "min_s": min(times)}


def import_profile(args: list[str], cwd: Path) -> dict:
    """Modules imported by `python -X importtime -m bench.cli ARGS`: total and heavy ones."""
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "bench.cli", *args], cwd=cwd,
                         capture_output=True, text=True)
    rows = []  # (name with its nesting indent, self us, cumulative us)
    for line in res.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, cum_us, name = line[len("import time:"):].split("|", 2)
            rows.append((name[1:], int(self_us), int(cum_us)))
    top = [(n, c) for n, _, c in rows if not n.startswith(" ")]
    heavy = sorted({n.strip().split(".")[0] for n, _, _ in rows} & set(HEAVY))
    return {"modules": len(rows), "total_ms": sum(c for _, c in top) / 1000, "heavy_imported": heavy,
            "slowest_top_level": sorted(top, key=lambda x: -x[1])[:6]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    a = ap.parse_args()
    print(json.dumps(machine()))
    bench = shutil.which("bench") or str(Path(sys.executable).with_name("bench"))
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        cases = {"bench --help": [bench, "--help"],
                 "bench evaluate --model regex": [bench, "evaluate", "--model", "regex", "-o", "r.json", "-q"]}
        for label, argv in cases.items():
            t = timed(argv, a.runs, cwd)
            print(f"{label:32} {t['mean_s'] * 1000:7.0f} ms +- {t['stddev_s'] * 1000:.0f} (min {t['min_s'] * 1000:.0f}) "
                  f"[{t['tool']}, {a.runs} runs]")
        print("\npython -X importtime:")
        for args in (["--help"], ["evaluate", "--help"], ["evaluate", "--model", "regex", "-o", "r.json", "-q"]):
            p = import_profile(args, cwd)
            print(f"  bench {' '.join(args):42} {p['modules']:4} modules, {p['total_ms']:6.0f} ms; "
                  f"heavy: {', '.join(p['heavy_imported']) or 'none'}")
            print("      slowest: " + ", ".join(f"{n.strip()} {c / 1000:.0f} ms" for n, c in p["slowest_top_level"]))


if __name__ == "__main__":
    sys.exit(main())
