"""Does requirements/lock.txt still match pyproject.toml?  (used by scripts/lock.sh and tests/test_lock.py)

    python scripts/lockcheck.py        # prints the problems, exit 1 when there are any
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)
STAMP = re.compile(r"^# pyproject-deps-sha256: ([0-9a-f]{64})$", re.M)


def declared(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, list[str]]:
    """Requirement strings of the package and of each extra ("" = the core)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    out = {"": list(project.get("dependencies", []))}
    out.update({k: list(v) for k, v in sorted(project.get("optional-dependencies", {}).items())})
    return out


def pyproject_deps_sha256(pyproject: Path = ROOT / "pyproject.toml") -> str:
    return hashlib.sha256(json.dumps(declared(pyproject), sort_keys=True).encode()).hexdigest()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock_text: str) -> dict[str, str]:
    return {_norm(m.group(1)): m.group(2) for m in PIN.finditer(lock_text)}


def problems(lock: Path = ROOT / "requirements" / "lock.txt", pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    from packaging.requirements import Requirement
    from packaging.version import Version

    text = lock.read_text(encoding="utf-8")
    out = []
    stamp = STAMP.search(text)
    if stamp is None or stamp.group(1) != pyproject_deps_sha256(pyproject):
        out.append(f"{lock.name}: made from other pyproject.toml dependencies; run `bash scripts/lock.sh`")
    pinned = pins(text)
    for extra, reqs in declared(pyproject).items():
        for line in reqs:
            req = Requirement(line)
            version = pinned.get(_norm(req.name))
            if version is None:
                out.append(f"{lock.name}: {req.name} ({extra or 'core'}) is not locked")
            elif not req.specifier.contains(Version(version), prereleases=True):
                out.append(f"{lock.name}: {req.name}=={version} does not satisfy {line!r} ({extra or 'core'})")
    unhashed = [n for n, _ in re.findall(r"^([A-Za-z0-9][^=\s]*)==(\S+)\s*$", text, re.M)]
    out += [f"{lock.name}: {n} has no --hash" for n in unhashed]
    return out


if __name__ == "__main__":
    found = problems()
    print("\n".join(found) or "lock matches pyproject.toml")
    sys.exit(1 if found else 0)
