import os

import pytest

from bench import io
from bench.io import DataError, atomic_write_text, dumps_line, read_jsonl, require, write_jsonl


def test_read_jsonl_yields_line_numbers_and_skips_blank_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n\n   \n{"b": "é"}\n', encoding="utf-8")
    assert list(read_jsonl(p)) == [(1, {"a": 1}), (4, {"b": "é"})]


@pytest.mark.parametrize("line, what", [
    ('{"a": 1', "invalid JSON"),
    ("[1, 2]", "expected a JSON object, got list"),
    ('"text"', "expected a JSON object, got str"),
])
def test_read_jsonl_errors_name_file_and_line(tmp_path, line, what):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"ok": 1}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"bad\.jsonl:3: {what}"):
        list(read_jsonl(p))


def test_invalid_utf8_names_the_offending_line_not_the_first(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": "\xff"}\n')
    with pytest.raises(DataError, match=r"bad\.jsonl:3: not valid UTF-8"):
        list(read_jsonl(p))


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match=r"nope\.jsonl: cannot open"):
        list(read_jsonl(tmp_path / "nope.jsonl"))


def test_dumps_line_keeps_non_ascii_and_ends_with_newline():
    assert dumps_line({"t": "café’s"}) == '{"t": "café’s"}\n'


def test_write_jsonl_round_trips(tmp_path):
    rows = [{"a": 1, "t": "“x”"}, {"b": [1, 2]}]
    write_jsonl(tmp_path / "sub" / "r.jsonl", rows)
    assert [o for _, o in read_jsonl(tmp_path / "sub" / "r.jsonl")] == rows


def test_atomic_write_replaces_content_and_leaves_no_temp_file(tmp_path):
    p = tmp_path / "f.txt"
    atomic_write_text(p, "old\n")
    atomic_write_text(p, "new é\n")
    assert p.read_bytes() == "new é\n".encode()
    assert os.listdir(tmp_path) == ["f.txt"]


def test_atomic_write_uses_the_umask_like_open(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_text(tmp_path / "f.txt", "x")
        with open(tmp_path / "g.txt", "w") as fh:
            fh.write("x")
    finally:
        os.umask(old)
    assert os.stat(tmp_path / "f.txt").st_mode & 0o777 == os.stat(tmp_path / "g.txt").st_mode & 0o777 == 0o640


def test_failed_atomic_write_keeps_old_file_and_cleans_up(tmp_path, monkeypatch):
    p = tmp_path / "f.txt"
    p.write_text("old\n", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(io.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(p, "new\n")
    assert p.read_text(encoding="utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_require_checks_presence_and_type():
    assert require({"n": 3}, "n", int, "f:1") == 3
    assert require({"s": "x"}, "s", (str, int), "f:1") == "x"
    with pytest.raises(DataError, match=r"f:1: missing field 'n'"):
        require({}, "n", int, "f:1")
    with pytest.raises(DataError, match=r"f:2: field 'n' must be int, got '3'"):
        require({"n": "3"}, "n", int, "f:2")
    with pytest.raises(DataError, match=r"field 'n' must be int, got True"):
        require({"n": True}, "n", int, "f:3")  # bool is an int subclass but not an offset
    with pytest.raises(DataError, match=r"must be str/int, got None"):
        require({"s": None}, "s", (str, int), "f:4")


def test_overwriting_keeps_the_file_mode(tmp_path):
    import os
    import stat

    from bench.io import atomic_write_text

    path = tmp_path / "secret.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    atomic_write_text(path, "new")
    assert path.read_text() == "new" and stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_leading_utf8_bom_is_accepted(tmp_path):
    from bench.io import read_jsonl

    path = tmp_path / "bom.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"doc_id": "a"}\n{"doc_id": "b"}\n')
    assert [o["doc_id"] for _, o in read_jsonl(path)] == ["a", "b"]
