"""The lock (requirements/lock.txt) must be made from the current pyproject.toml."""

import importlib.util
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("lockcheck", REPO / "scripts" / "lockcheck.py")
lockcheck = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lockcheck)


def test_lock_matches_pyproject():
    assert lockcheck.problems() == []


def test_every_lock_line_is_pinned_with_a_hash():
    for name in ("lock.txt", "spacy-models.lock.txt"):
        text = (REPO / "requirements" / name).read_text(encoding="utf-8")
        pins = lockcheck.pins(text)
        assert pins, name
        assert text.count("==") == len(pins), name  # nothing else is pinned some other way
        assert text.count("--hash=sha256:") >= len(pins), name


def test_torch_is_the_cpu_build():
    assert lockcheck.pins((REPO / "requirements" / "lock.txt").read_text(encoding="utf-8"))["torch"].endswith("+cpu")


@pytest.fixture
def project_copy(tmp_path):
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copy(REPO / "requirements" / "lock.txt", tmp_path / "lock.txt")
    return tmp_path


def test_a_new_dependency_makes_the_lock_stale(project_copy):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"tqdm>=4.66",', '"tqdm>=4.66",\n    "left-pad>=1.0",'))
    found = lockcheck.problems(project_copy / "lock.txt", pyproject)
    assert any("made from other pyproject.toml dependencies" in p for p in found)
    assert any("left-pad (core) is not locked" in p for p in found)


def test_a_range_the_pin_breaks_is_named(project_copy):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"typer>=0.12"', '"typer<0.1"'))
    found = lockcheck.problems(project_copy / "lock.txt", pyproject)
    assert any(p.startswith("lock.txt: typer==") and "does not satisfy 'typer<0.1' (core)" in p for p in found)


def test_an_unhashed_pin_is_named(project_copy):
    lock = project_copy / "lock.txt"
    lock.write_text(lock.read_text() + "left-pad==1.0\n")
    assert "lock.txt: left-pad has no --hash" in lockcheck.problems(lock, project_copy / "pyproject.toml")
