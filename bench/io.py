"""JSON Lines reading with line-numbered errors, and atomic writes."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


class DataError(ValueError):
    """Bad input: the message names the file and line (or document) and what is wrong."""


def read_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, object) for each non-blank line; errors name path:line.

    Parsed with orjson (strict RFC 8259: no NaN, 64-bit integers, valid UTF-8 and Unicode),
    several times faster than the standard library on big prediction files."""
    for lineno, raw in raw_lines(path):
        yield lineno, parse_line(raw, path, lineno)


def raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of each non-blank line, a leading BOM removed: the lines
    ``read_jsonl`` parses, for a reader that parses them elsewhere (``parse_line``)."""
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise DataError(f"{path}: cannot open: {exc.strerror}") from None
    with fh:
        for lineno, raw in enumerate(fh, 1):
            if (raw := record_line(lineno, raw)) is not None:
                yield lineno, raw


def record_line(lineno: int, raw: bytes) -> bytes | None:
    """Line ``lineno`` of a JSONL file as ``raw_lines`` yields it (a leading BOM removed), or
    None when it is blank (and skipped)."""
    if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a leading BOM is fine
        raw = raw[3:]
    return raw if raw and not raw.isspace() else None  # not raw.strip(): that copies every line


def parse_line(raw: bytes, path: Path | str, lineno: int) -> dict:
    """One line of ``raw_lines`` as ``read_jsonl`` parses it."""
    import orjson

    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DataError(f"{path}:{lineno}: {_why(raw, exc)}") from None
    if not isinstance(obj, dict):
        raise DataError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
    return obj


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _why(raw: bytes, exc: Exception) -> str:
    """The one-line reason a line is not JSON, in terms a user can act on."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not valid UTF-8"
    if _SURROGATE_ESCAPE.search(line):
        return "a string holds an unpaired surrogate escape (invalid Unicode)"
    return f"invalid JSON: {str(exc).split(':')[0][:100]}"


def dumps_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def atomic_write_text(path: Path, text: str) -> None:
    """atomic_write_bytes of the UTF-8 text (newlines written as given)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same directory and rename: readers never see half a file.

    Where the OS allows (Linux, O_TMPFILE) the temp file has no name until it is complete,
    so even a process killed mid-write (SIGKILL) leaves nothing behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _write_unnamed(path, data):
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    """The replaced file's mode (an overwrite keeps a 0600 file private), else the mode a
    plain open() would give a new file (0666 minus the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _write_unnamed(path: Path, data: bytes) -> bool:
    """Write data to an unnamed file in path's directory, then link and rename it into
    place; False (nothing written) where the OS or file system cannot."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return False
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except OSError:  # e.g. a file system without O_TMPFILE support
        return False
    tmp = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fd)
        os.fchmod(fd, _mode_for(path))
        try:
            os.link(f"/proc/self/fd/{fd}", tmp, follow_symlinks=True)  # a name, only now it is complete
        except OSError:  # no /proc: the named temp file way
            return False
        try:
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return True
    finally:
        os.close(fd)


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    atomic_write_text(path, "".join(dumps_line(r) for r in rows))


def require(obj: dict, key: str, kind: type | tuple[type, ...], where: str):
    """Fetch a typed field or raise a DataError naming where and what."""
    if key not in obj:
        raise DataError(f"{where}: missing field {key!r}")
    value = obj[key]
    if isinstance(value, bool) and kind is int or not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise DataError(f"{where}: field {key!r} must be {names}, got {value!r}")
    return value


def atomic_write_tree(out_dir: Path, files: dict[str, bytes]) -> None:
    """Replace the directory ``out_dir`` by one holding exactly ``files`` (relative path ->
    bytes), as one step: readers see the whole old tree or the whole new one, never a mix.

    The new tree is written beside it in a staging directory, then the two are swapped
    with one ``renameat2(RENAME_EXCHANGE)`` (Linux); elsewhere, two renames leave a moment
    in which ``out_dir`` is missing (a clear error for a reader, still never a mix).
    Staging directories left by a killed run are removed first.
    """
    import shutil

    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for left in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(left, ignore_errors=True)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}-{os.urandom(4).hex()}"
    try:
        for rel, data in sorted(files.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for d in sorted({(staging / rel).parent for rel in files} | {staging}, key=lambda p: -len(p.parts)):
            _fsync_dir(d)
        if out_dir.exists() and _exchange(staging, out_dir):
            shutil.rmtree(staging)  # it now holds the old tree
        elif out_dir.exists():
            old = out_dir.parent / f".{out_dir.name}.staging-old-{os.getpid()}"
            os.rename(out_dir, old)
            os.rename(staging, out_dir)
            shutil.rmtree(old)
        else:
            os.rename(staging, out_dir)
        _fsync_dir(out_dir.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(str(a)), at_fdcwd, os.fsencode(str(b)), rename_exchange) == 0
