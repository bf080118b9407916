"""Committed results, leaderboard files and dataset folders name nothing of the machine that made them."""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# an absolute path into a home, temp or system directory, or a Windows drive path
MACHINE_PATH = re.compile(r"(?<![\w.])(?:/(?:root|home|Users|tmp|var|opt|private|mnt|work)/|[A-Za-z]:\\\\)")


def _committed(*dirs: str) -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "--", *dirs], cwd=REPO, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [REPO / p for p in out.splitlines()]


def test_no_machine_paths_in_results_leaderboard_or_datasets():
    files = _committed("leaderboard", "hf", "results", "README.md")
    assert files
    offenders = []
    for path in files:
        if path.suffix in (".parquet",):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if MACHINE_PATH.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()[:100]}")
    assert offenders == []


@pytest.mark.parametrize("text", ["/root/.cache/x", "see /home/ann/x", "C:\\\\Users\\\\x", "/tmp/abc"])
def test_the_pattern_catches_machine_paths(text):
    assert MACHINE_PATH.search(text)


@pytest.mark.parametrize("text", ["hf/kursk-ie-bench", "leaderboard/runs/regex.json", "https://example.org/home/x",
                                  "local:minilm-ner-abc"])
def test_the_pattern_leaves_relative_paths_and_urls(text):
    assert not MACHINE_PATH.search(text)
