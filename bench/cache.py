"""Where the project caches what it builds (trained models, tools): one setting.

``KURSK_BENCH_CACHE`` if set, else ``$XDG_CACHE_HOME/kursk-ie-bench``, else
``~/.cache/kursk-ie-bench``.  Nothing stamped on a result may name this folder:
results identify models by content hashes, never by where they are cached.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "KURSK_BENCH_CACHE"


def cache_root() -> Path:
    own = os.environ.get(ENV_VAR)
    if own:
        return Path(own).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "kursk-ie-bench"
