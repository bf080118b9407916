"""The software environment a run was made in: reported beside the scores, never part of them.

Library versions can change a model's outputs, so results record them; but a
different version is a reason to look, not a different run: `bench leaderboard
--check` reports environment differences and fails only on scores, counts, the
dataset fingerprint or a model's identity.  Nothing here names the machine.
"""

from __future__ import annotations

import platform
import sys

# Libraries whose versions can move a score: the harness's numerics and every
# baseline's inference stack.  Only those installed are listed.
PACKAGES: tuple[str, ...] = (
    "numpy", "scikit-learn", "torch", "transformers", "tokenizers", "safetensors",
    "sentence-transformers", "spacy", "thinc", "datasets", "pyarrow",
)


def environment() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    out = [("python", platform.python_version()), ("platform", f"{sys.platform}-{platform.machine()}")]
    for name in PACKAGES:
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return tuple(out)
