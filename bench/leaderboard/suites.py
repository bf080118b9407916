"""Which leaderboards exist: ``leaderboard/suites.json`` (data, not code).

Each suite is a dataset, the folder of its committed runs, where its pages go, the
README section that shows its table and, optionally, the folder of its submitted runs
(``submissions``).  Paths are relative to the ``leaderboard/`` folder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import REPO_ROOT
from bench.io import DataError

LEADERBOARD_DIR = REPO_ROOT / "leaderboard"
SUITES_FILE = LEADERBOARD_DIR / "suites.json"
README = REPO_ROOT / "README.md"


@dataclass(frozen=True)
class Suite:
    name: str  # the dataset: a built-in dataset's name (as stamped on results) or a folder
    runs_dir: Path
    out_dir: Path
    marker: str  # README section between <!-- {marker}:start --> and <!-- {marker}:end -->
    title: str = "Kursk IE bench leaderboard"
    submissions_dir: Path | None = None  # submitted runs (bench.leaderboard.submissions); None: takes none


def _inside(rel: object, where: str) -> Path:
    if not isinstance(rel, str) or Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise DataError(f"{where}: must be a relative path inside leaderboard/, got {rel!r}")
    return (LEADERBOARD_DIR / rel).resolve()


def load_suites(path: Path = SUITES_FILE) -> tuple[Suite, ...]:
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
        items = obj["suites"]
        if not isinstance(items, list):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        raise DataError(f"{path}: expected {{\"suites\": [{{dataset, title, runs, out, readme_marker[, submissions]}}, "
                        "...]}}") from None
    out = []
    for i, s in enumerate(items):
        where = f"{path}: suites[{i}]"
        if not isinstance(s, dict) or not all(isinstance(s.get(k), str) for k in
                                              ("dataset", "title", "runs", "out", "readme_marker")):
            raise DataError(f"{where}: needs the strings dataset, title, runs, out and readme_marker")
        if not re.fullmatch(r"[a-z0-9-]+", s["readme_marker"]):
            raise DataError(f"{where}: readme_marker must be lower-case letters, digits and '-'")
        if "submissions" in s and not isinstance(s["submissions"], str):
            raise DataError(f"{where}: submissions, when given, must be a string")
        subs = _inside(s["submissions"], f"{where}.submissions") if "submissions" in s else None
        out.append(Suite(s["dataset"], _inside(s["runs"], f"{where}.runs"), _inside(s["out"], f"{where}.out"),
                         s["readme_marker"], s["title"], subs))
    return tuple(out)
