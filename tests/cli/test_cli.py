import json
import re
import subprocess
import sys
import textwrap

import pytest
import typer

from bench import agreement as agreement_mod
from bench import extractors
from bench.cli import app
from tests import fixtures as sd
from tests.fixtures import invoke

HEAVY = ("torch", "transformers", "spacy", "datasets", "sklearn", "sentence_transformers", "openai", "numpy", "pyarrow")
PERFECT = "tests.fixtures:PerfectExtractor"


def test_help_lists_the_commands():
    res = invoke("--help")
    assert res.exit_code == 0
    for cmd in ("validate", "build-dataset", "agreement", "list-models", "predict", "evaluate", "compare"):
        assert cmd in res.stdout


def test_help_imports_no_heavy_library():
    """`bench --help` and every `bench <command> --help` stay light (checked in a fresh interpreter)."""
    code = textwrap.dedent(f"""
        import sys, typer
        from bench.cli import app
        names = sorted(typer.main.get_command(app).commands)
        for args in [["--help"]] + [[n, "--help"] for n in names]:
            try:
                app(args)
            except SystemExit as exc:
                assert exc.code == 0, (args, exc.code)
        print("COMMANDS=" + ",".join(names))
        print("HEAVY=" + ",".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    lines = dict(line.split("=", 1) for line in out.splitlines() if line.startswith(("COMMANDS=", "HEAVY=")))
    assert "evaluate" in lines["COMMANDS"].split(",")
    assert lines["HEAVY"] == ""


def _docs(path, rows):
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _claims(tmp_path):
    return _docs(tmp_path / "claims.jsonl", sd.claims_rows())


def test_predict_on_invented_documents(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "n1", "text": sd.TEXTS["doc002"]},
                                          {"doc_id": "n2", "text": "Une journée à Genève.", "dct": "2024-01-01"}])
    out = tmp_path / "out.jsonl"
    res = invoke("predict", "--model", PERFECT, "--input", inp, "--output", out, "--claims", _claims(tmp_path))
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"wrote predictions for 2 document(s) to {out}"
    header, *rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert header == {"label_scheme": "ontonotes"}  # the file declares its label scheme
    assert rows[0]["entities"] == [{"start": 34, "end": 40, "label": "GPE", "text": "Lisbon"}]
    assert rows[1]["doc_id"] == "n2" and rows[1]["entities"] == []


@pytest.mark.parametrize("rows, message", [
    ([{"doc_id": "a", "text": "x"}, {"doc_id": "b", "dct": None}], "docs.jsonl:2: missing field 'text'"),
    ([{"doc_id": "a", "text": "x"}, {"doc_id": "c", "text": "y"}, {"doc_id": "a", "text": "z"}],
     "docs.jsonl:3: duplicate doc_id 'a'"),
    (['{"doc_id": "a", "text": \n'], "docs.jsonl:1: invalid JSON"),
])
def test_predict_bad_input_names_the_line(tmp_path, rows, message):
    inp = _docs(tmp_path / "docs.jsonl", rows)
    out = tmp_path / "out.jsonl"
    res = invoke("predict", "-m", PERFECT, "-i", inp, "-o", out, "--claims", _claims(tmp_path))
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert not out.exists()


def test_predict_unknown_model(tmp_path):
    inp = _docs(tmp_path / "docs.jsonl", [{"doc_id": "a", "text": "x"}])
    res = invoke("predict", "-m", "tests.fixtures:Nope", "-i", inp, "-o", tmp_path / "o.jsonl",
                 "--claims", _claims(tmp_path))
    assert res.exit_code == 2 and "has no attribute 'Nope'" in res.stderr


def test_list_models(monkeypatch):
    monkeypatch.setattr(extractors, "registered", lambda: {"perfect": PERFECT})
    res = invoke("list-models")
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].split() == ["perfect", "entities,stance,timex", PERFECT]
    assert "module.path:ClassName" in res.stdout


def _build_args(ann, out, *extra):
    return ("build-dataset", "--annotations", ann.ann, "--corpus", ann.corpus, "--output", out, "--name", "Synth", *extra)


def test_build_dataset_check_and_write(synth_ann, tmp_path):
    out = tmp_path / "ds"
    res = invoke(*_build_args(synth_ann, out, "--check"))
    assert res.exit_code == 1
    assert re.fullmatch(
        f"error: {re.escape(str(out))}: dataset files stale against the annotations: documents/test.jsonl, "
        "ner/test.jsonl, timex/test.jsonl, claims/test.jsonl, stance/test.jsonl, README.md, MANIFEST\\.json, "
        + ", ".join(f"{c}/test-[0-9a-f]{{12}}\\.parquet" for c in ("documents", "ner", "timex", "claims", "stance"))
        + "; run `bench build-dataset`\n", res.stderr), res.stderr
    assert not out.exists()  # --check writes nothing
    res = invoke(*_build_args(synth_ann, out))
    assert res.exit_code == 0, res.output
    assert f"wrote {out / 'README.md'}" in res.stdout and f"wrote {out / 'timex/test.jsonl'}" in res.stdout
    res = invoke(*_build_args(synth_ann, out, "--check"))
    assert res.exit_code == 0 and "dataset files up to date" in res.stdout
    (out / "timex/test.jsonl").write_text("", encoding="utf-8")
    res = invoke(*_build_args(synth_ann, out, "--check"))
    assert res.exit_code == 1 and "stale against the annotations: timex/test.jsonl;" in res.stderr


def test_build_dataset_reports_invalid_gold_as_one_line(synth_ann, tmp_path):
    lines = synth_ann.lines("entities.jsonl")
    synth_ann.write_lines("entities.jsonl", lines[:3] + ['{"doc_id": "doc000"}\n'] + lines[4:])
    res = invoke(*_build_args(synth_ann, tmp_path / "ds"))
    assert res.exit_code == 2
    assert res.stderr.startswith("error: 1 problem(s) in ") and res.stderr.count("\n") == 1
    assert res.stderr.rstrip().endswith("entities.jsonl:4: missing field 'start'")
    assert not (tmp_path / "ds").exists()


def test_agreement_command(tmp_path, monkeypatch):
    for who, label in (("annotator_a", "support"), ("annotator_b", "refute")):
        d = tmp_path / who
        d.mkdir()
        (d / "entities.jsonl").write_text(json.dumps(
            {"doc_id": "d", "start": 0, "end": 4, "label": "GPE", "entity_id": "x", "text": "Oslo"}) + "\n")
        (d / "timex.jsonl").write_text("")
        (d / "stances.jsonl").write_text(json.dumps(
            {"doc_id": "d", "claim_id": "C01", "label": label, "evidence": []}) + "\n")
    real = agreement_mod.write_report
    monkeypatch.setattr(agreement_mod, "write_report", lambda: real(tmp_path))
    res = invoke("agreement")
    assert res.exit_code == 0, res.output
    assert "| entity F1, strict (span + label) | 1.000 |" in res.stdout
    assert "| stance raw agreement | 0.000 |" in res.stdout
    assert (tmp_path / "report.json").is_file()


def test_guard_turns_data_errors_into_exit_2():
    from bench.cli import _guard
    from bench.io import DataError

    @_guard
    def fails():
        raise DataError("f.jsonl:3: bad")

    with pytest.raises(typer.Exit) as info:
        fails()
    assert info.value.exit_code == 2
