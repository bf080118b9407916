"""Helpers shared by the benchmark scripts: data on demand, whole-process runs, machine info."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import synth  # noqa: E402

DEFAULT_WORKDIR = Path(os.environ.get("BENCH_WORKDIR", "/tmp/kursk-ie-bench-scale"))


def dataset(n_docs: int, workdir: Path = DEFAULT_WORKDIR, seed: int = 0) -> Path:
    """Directory with dataset/ and predictions.jsonl for n_docs synthetic documents (made once)."""
    out = Path(workdir) / f"synth_{n_docs}_{seed}"
    marker = out / "counts.json"
    if not marker.is_file():
        counts = synth.generate(out, n_docs, seed=seed)
        marker.write_text(json.dumps(counts) + "\n")
    return out


def counts(data: Path) -> dict:
    return json.loads((data / "counts.json").read_text())


def _tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, summed (MiB; shared pages
    count once per process, so an upper bound)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    parents[int(entry)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            pass
    return total / 2 ** 20


def run_process(argv: list[str], cwd: Path | None = None) -> dict:
    """Run a whole process; wall seconds, peak RSS (MiB, from wait4: the largest single
    process of the tree), the peak of the summed RSS of the process and its worker
    processes (sampled every 100 ms), and exit code."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss_mib(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err[-2000:]}")
    return {"wall_s": wall, "max_rss_mib": usage.ru_maxrss / 1024, "tree_peak_rss_mib": peak[0],
            "user_s": usage.ru_utime, "sys_s": usage.ru_stime}


def bench_cmd(*args: str) -> list[str]:
    """`bench ARGS` as a fresh interpreter running the installed CLI."""
    return [sys.executable, "-m", "bench.cli", *args]


def machine() -> dict:
    info = {"python": platform.python_version(), "nproc": os.cpu_count(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 2 ** 20, 1)
    except OSError:
        pass
    import numpy

    info["numpy"] = numpy.__version__
    return info


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Fastest wall time of `repeat` calls (the machine is shared: noise only adds) and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out
