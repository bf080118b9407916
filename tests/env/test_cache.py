from pathlib import Path

from bench.cache import cache_root


def test_project_variable_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("KURSK_BENCH_CACHE", str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "own"


def test_xdg_cache_home_is_followed(monkeypatch, tmp_path):
    monkeypatch.delenv("KURSK_BENCH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "kursk-ie-bench"


def test_home_cache_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv("KURSK_BENCH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec says: ignore relative paths
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_root() == Path(tmp_path) / ".cache" / "kursk-ie-bench"
