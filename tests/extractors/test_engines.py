"""`bench predict --engine ray`: a real local Ray cluster (2 CPUs, bounded object store,
stopped after each call) gives byte-identical output to the local engine."""

from __future__ import annotations

import json

import pytest

from bench.engines import RayOptions
from bench.io import DataError
from bench.runner import RunSpec
from bench.types import Annotations
from bench.workflows import predict_file
from tests.fixtures import PerfectExtractor, invoke

pytest.importorskip("ray")
pytestmark = pytest.mark.slow

COUNTING = "tests.extractors.test_engines:CountingRegex"
FAILING = "tests.extractors.test_engines:FailingExtractor"


class CountingRegex:
    """The rule baseline, counting what it saw: diagnostics must add up over workers."""

    name, version = "counting-regex", "1.0"
    label_scheme, tasks = "ontonotes", frozenset({"entities", "timex", "stance"})

    def __init__(self) -> None:
        from baselines.regex_baseline import RegexExtractor

        self._inner, self._seen = RegexExtractor(), 0

    def extract(self, doc, claims) -> Annotations:
        self._seen += 1
        return self._inner.extract(doc, claims)

    def diagnostics(self) -> dict[str, int]:
        return {"documents_seen": self._seen}

    def config(self) -> dict[str, str]:
        return {}


class FailingExtractor(PerfectExtractor):
    name = "failing"

    def extract(self, doc, claims):
        if doc.doc_id.endswith("-3"):
            raise ValueError(f"cannot read {doc.doc_id}")
        return Annotations(doc.doc_id, (), None, None)


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    """The benchmark's five articles, seven times over under new ids (35 documents)."""
    from bench.corpus import load_dataset_dir

    path = tmp_path_factory.mktemp("news") / "docs.jsonl"
    docs = load_dataset_dir().documents
    path.write_text("".join(json.dumps({"doc_id": f"{d.doc_id}-{k}", "text": d.text, "dct": d.dct}) + "\n"
                            for k in range(7) for d in docs), encoding="utf-8")
    return path


def test_ray_output_is_byte_identical_and_diagnostics_add_up(news, tmp_path):
    local, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    said: dict[str, list[str]] = {"local": [], "ray": []}
    spec = RunSpec(model=COUNTING)
    assert predict_file(spec, news, local, echo=said["local"].append) == 35
    # batches of 4 over two workers: the documents come back out of order and are put back
    assert predict_file(spec, news, ray_out, echo=said["ray"].append, engine="ray",
                        ray_options=RayOptions(num_workers=2, batch_size=4)) == 35
    assert ray_out.read_bytes() == local.read_bytes()
    assert json.loads(local.read_text().splitlines()[0]) == {"label_scheme": "ontonotes"}
    assert said["ray"] == said["local"] == ["diagnostics (what the extractor could not use): documents_seen 35"]


def test_a_worker_failure_is_one_line_and_writes_nothing(news, tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(DataError) as err:
        predict_file(RunSpec(model=FAILING), news, out, engine="ray", ray_options=RayOptions(num_workers=1, batch_size=8))
    assert str(err.value) == "--engine ray: ValueError: cannot read doc000-3"
    assert "\n" not in str(err.value) and not out.exists()


def test_engine_options_are_checked_before_any_cluster_starts(news, tmp_path):
    out = tmp_path / "out.jsonl"
    with pytest.raises(DataError, match="^--engine must be one of local, ray, got 'spark'$"):
        predict_file(RunSpec(model=COUNTING), news, out, engine="spark")
    with pytest.raises(DataError, match="--workers and --batch-size must be at least 1"):
        predict_file(RunSpec(model=COUNTING), news, out, engine="ray", ray_options=RayOptions(num_workers=0))
    res = invoke("predict", "--model", "regex", "-i", news, "-o", out, "--engine", "ray", "--batch-size", "0")
    assert res.exit_code == 2 and res.stderr.startswith("error: --workers and --batch-size") and not out.exists()
