"""The response cache: one SQLite file under the project's cache folder.

``<cache_root()>/llm/responses.sqlite`` (``bench.cache``: ``$KURSK_BENCH_CACHE``, ...).
The key is the sha256 of the canonical JSON of ``{"endpoint": base URL, "request":
the whole request body}`` (model, messages, temperature, seed, response_format,
max_tokens: everything sent, nothing else; never the API key).  A value is the
server's answer body (already checked, see ``client.py``) or the record that the
server rejected a structured request (so the plain-text retry is found in the cache
too).  Each answer is committed as it arrives: an interrupted run keeps what it paid
for, and a rerun sends no request at all and, since the answers are the same bytes,
gives a byte-identical result.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path

SCHEMA = 1


def request_key(endpoint: str, request: dict) -> str:
    canonical = json.dumps({"endpoint": endpoint, "request": request}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_path() -> Path:
    from bench.cache import cache_root

    return cache_root() / "llm" / "responses.sqlite"


class ResponseCache:
    """Thread-safe get/put of (kind, body) by request key."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")  # other runs may read while one writes
            self._db.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, kind TEXT NOT NULL, "
                             "body TEXT NOT NULL, endpoint TEXT NOT NULL, model TEXT NOT NULL, request TEXT NOT NULL)")
            self._db.execute(f"PRAGMA user_version={SCHEMA}")

    def get(self, key: str) -> tuple[str, str] | None:
        with self._lock:
            row = self._db.execute("SELECT kind, body FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else (row[0], row[1])

    def put(self, key: str, kind: str, body: str, endpoint: str, request: dict) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)",
                             (key, kind, body, endpoint, str(request.get("model")),
                              json.dumps(request, sort_keys=True, ensure_ascii=False)))

    def close(self) -> None:
        with self._lock:
            self._db.close()
