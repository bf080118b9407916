"""An installed wheel (not editable, run from elsewhere) finds its built-in datasets."""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("hatchling")
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp / "dist"), str(REPO)], check=True, capture_output=True)
    (wheel,) = (tmp / "dist").glob("kursk_ie_bench-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    # the dependencies come from this environment; its own editable .pth is not processed from here
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = tmp / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return venv, work, env


def test_wheel_carries_the_datasets_and_evaluates_the_builtin_one(installed):
    venv, work, env = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import bench.corpus as c; print(c.default_dataset_dir())"],
                           cwd=work, env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and Path(where).name == "kursk-ie-bench"
    res = subprocess.run([str(venv / "bin" / "bench"), "evaluate", "--model", "regex", "-o", "r.json", "-q"],
                         cwd=work, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    result = json.loads((work / "r.json").read_text())
    assert result["dataset"]["n_documents"] == 5 and result["dataset"]["name"] == "kursk-ie-bench"
    committed = json.loads((REPO / "leaderboard" / "runs" / "regex.json").read_text())
    assert result["dataset"]["fingerprint"] == committed["dataset"]["fingerprint"]


def test_wheel_evaluates_the_heldout_dataset_by_name(installed):
    venv, work, env = installed
    res = subprocess.run([str(venv / "bin" / "bench"), "evaluate", "--model", "regex", "--dataset",
                          "kursk-ie-bench-heldout", "-o", "h.json", "-q"], cwd=work, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert json.loads((work / "h.json").read_text())["dataset"]["name"] == "kursk-ie-bench-heldout"
