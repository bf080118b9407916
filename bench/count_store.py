"""The count sidecar of a result: every task's per-document and per-sub-unit count tables
in one Parquet file (`<result>.counts.parquet`), named and hashed from the result JSON.

Columnar because the tables are big (100,000 documents: tens of millions of counts, mostly
zeros) and only ever read whole.  One row per unit: ``task``, ``level`` ("document" or
"sub"), ``doc`` (the document's row within its task), ``doc_id`` (document rows only) and
``counts``: one little-endian float64 per field (the field names are in the file's
metadata), as one binary value per row.  A binary value, not a list of doubles: a list
column encodes a repetition level per number (100,000 documents: 160 million), which took
three times as long to write; repeated rows (most sentences) are dictionary-encoded whole.
Format v1 files (``counts`` as a list of doubles) are still read.  Sub-unit ids
are rebuilt as "<doc_id>#<sub_unit><k>" (``sub_unit_ids``), k counting within the document.
Written with fixed settings (row groups of ``ROW_GROUP`` rows), so the bytes depend only
on the counts (and the pinned pyarrow version).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from bench.io import DataError
from bench.scoring.base import CountTable

META_KEY = b"kursk-ie-bench/counts"
FORMAT = "kursk-ie-bench/counts/v2"
FORMAT_V1 = "kursk-ie-bench/counts/v1"  # counts as list<double>: read, no longer written
_F8 = np.dtype("<f8")


def sub_unit_ids(doc_ids: Sequence[str], sub_unit: str) -> tuple[str, ...]:
    """"<doc_id>#<sub_unit><k>" for each sub-unit row, given the document id of each row (in
    document order).  Every run names its sub-units this way, so tables of one kind of
    sub-unit (all sentence tables) share bootstrap draws whether made whole or merged."""
    out, prev, k = [], None, 0
    for d in doc_ids:
        k = k + 1 if d == prev else 0
        prev = d
        out.append(f"{d}#{sub_unit}{k}")
    return tuple(out)


ROW_GROUP = 1 << 13  # rows per Parquet row group: what is held as float64 at once (a wide table: 20 MB)


Tables = tuple  # (task, sub_unit, document table, sub-unit table)


def _parts(tables: Sequence[Tables]):
    """Arrow tables of at most ROW_GROUP rows, in file order: a big table is converted to
    float64 a block at a time (its compact storage would otherwise be copied whole)."""
    import pyarrow as pa

    sub_docs: dict = {}  # tasks with one sub-unit tuple (entities and timex: sentences) share the work
    for task, _, doc, sub in tables:
        known = sub_docs.get(id(sub.units))  # the tables are alive for the call: ids are not reused
        if known is not None and known[0] == doc.units:
            sub_doc = known[1]
        else:
            doc_index = {d: i for i, d in enumerate(doc.units)}
            sub_doc = np.fromiter((doc_index[u.rsplit("#", 1)[0]] for u in sub.units), np.int32, len(sub.units))
            sub_docs[id(sub.units)] = (doc.units, sub_doc)
        for level, table, docs, ids in (("document", doc, np.arange(len(doc.units), dtype=np.int32), list(doc.units)),
                                        ("sub", sub, sub_doc, [None] * len(sub.units))):
            n, k = table.values.shape
            for a in range(0, n, ROW_GROUP):
                b = min(n, a + ROW_GROUP)
                values = np.ascontiguousarray(table.dense(slice(a, b)), dtype=_F8)
                offsets = np.arange(b - a + 1, dtype=np.int64) * (k * _F8.itemsize)
                counts = pa.Array.from_buffers(pa.large_binary(), b - a,
                                               [None, pa.py_buffer(offsets), pa.py_buffer(values)])
                yield pa.table({
                    "task": pa.array([task] * (b - a), pa.string()).dictionary_encode(),
                    "level": pa.array([level] * (b - a), pa.string()).dictionary_encode(),
                    "doc": pa.array(docs[a:b], pa.int32()),
                    "doc_id": pa.array(ids[a:b], pa.string()),
                    "counts": counts,
                })


def _fields(tables: Sequence[Tables]) -> dict:
    return {task: {"document": list(doc.fields), "sub": list(sub.fields), "sub_unit": sub_unit}
            for task, sub_unit, doc, sub in tables}


def encode(tasks: Sequence) -> bytes:
    """Parquet bytes of the tasks' count tables (``TaskResult.counts`` and ``.sub_counts``),
    written a row group at a time so that memory stays bounded for any table size."""
    return encode_tables([(t.task, t.sub_unit, t.counts, t.sub_counts) for t in tasks])


def encode_tables(tables: Sequence[Tables]) -> bytes:
    """``encode`` from (task, sub_unit, document table, sub-unit table) of each task, in
    result order: what a run can write before its intervals are known."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {META_KEY: json.dumps({"format": FORMAT, "fields": _fields(tables)}, sort_keys=True).encode()}
    schema = pa.schema([("task", pa.dictionary(pa.int32(), pa.string())), ("level", pa.dictionary(pa.int32(), pa.string())),
                        ("doc", pa.int32()), ("doc_id", pa.string()), ("counts", pa.large_binary())], metadata=meta)
    buffer = pa.BufferOutputStream()
    with pq.ParquetWriter(buffer, schema, compression="zstd", compression_level=3, use_dictionary=True,
                          write_statistics=False) as writer:
        pending, rows = [], 0
        for part in _parts(tables):
            pending.append(part.cast(schema))
            rows += part.num_rows
            while rows >= ROW_GROUP:  # exactly ROW_GROUP rows per group, as one whole-table write would
                table = pa.concat_tables(pending)
                writer.write_table(table.slice(0, ROW_GROUP), row_group_size=ROW_GROUP)
                rest = table.slice(ROW_GROUP)
                pending, rows = ([rest] if rest.num_rows else []), rest.num_rows
        if pending or rows == 0:
            writer.write_table(pa.concat_tables(pending) if pending else schema.empty_table(), row_group_size=ROW_GROUP)
    return buffer.getvalue().to_pybytes()


def _flat_counts(counts, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """(offset of each row's first value, all values) of the counts column, in values."""
    import pyarrow as pa

    if fmt == FORMAT_V1:
        return counts.offsets.to_numpy(), counts.values.to_numpy(zero_copy_only=False)
    if not pa.types.is_large_binary(counts.type):
        raise ValueError(f"counts are {counts.type}, not binary")
    offset_buffer = counts.buffers()[1]
    byte_offsets = np.frombuffer(offset_buffer, np.int64)[counts.offset:counts.offset + len(counts) + 1]
    if np.any(byte_offsets % _F8.itemsize):
        raise ValueError("counts that are not whole float64 values")
    data = counts.buffers()[2]
    flat = np.frombuffer(data, _F8, count=len(data) // _F8.itemsize) if data is not None else np.zeros(0, _F8)
    return byte_offsets // _F8.itemsize, flat


def decode(data: bytes, where: str) -> dict[tuple[str, str], CountTable]:
    """(task, "document" | "sub") -> CountTable, refusing anything inconsistent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
        meta = json.loads((table.schema.metadata or {})[META_KEY])
        if meta.get("format") not in (FORMAT, FORMAT_V1) or not isinstance(meta.get("fields"), dict):
            raise ValueError("unknown format")
        task_col = table.column("task").combine_chunks().cast(pa.string()).to_numpy(zero_copy_only=False)
        level_col = table.column("level").combine_chunks().cast(pa.string()).to_numpy(zero_copy_only=False)
        doc_col = table.column("doc").to_numpy()
        ids_col = table.column("doc_id").to_pylist()
        counts = table.column("counts").combine_chunks()
        if counts.null_count:
            raise ValueError("a row without counts")
        offsets, flat = _flat_counts(counts, meta["format"])
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        raise DataError(f"{where}: not a readable count file ({str(exc)[:120]})") from None
    out: dict[tuple[str, str], CountTable] = {}
    bounds = np.flatnonzero((task_col[1:] != task_col[:-1]) | (level_col[1:] != level_col[:-1])) + 1 \
        if len(task_col) else np.zeros(0, int)
    starts = [0, *bounds.tolist()]
    ends = [*bounds.tolist(), len(task_col)]
    for a, b in zip(starts, ends):
        if a == b:
            continue
        task, level = str(task_col[a]), str(level_col[a])
        fields = tuple(meta["fields"].get(task, {}).get(level, ()))
        lo, hi = int(offsets[a]), int(offsets[b])
        if (task, level) in out or hi - lo != (b - a) * len(fields) or hi > len(flat) or \
                not np.array_equal(np.diff(offsets[a:b + 1]), np.full(b - a, len(fields))):
            raise DataError(f"{where}: the {task} {level} table does not match its {len(fields)} fields")
        values = flat[lo:hi].reshape(b - a, len(fields))
        if level == "document":
            units = tuple(ids_col[a:b])
        else:
            doc_ids = out.get((task, "document"))
            if doc_ids is None:
                raise DataError(f"{where}: the {task} sub-unit rows come before its document rows")
            docs = doc_col[a:b]
            if np.any(np.diff(docs) < 0) or (len(docs) and not 0 <= docs.min() <= docs.max() < len(doc_ids.units)):
                raise DataError(f"{where}: the {task} sub-unit rows are not in document order")
            sub_unit = str(meta["fields"][task].get("sub_unit", "sentence"))
            units = sub_unit_ids([doc_ids.units[d] for d in docs.tolist()], sub_unit)
        try:
            out[(task, level)] = CountTable(task, fields, units, values)  # the table makes its one private copy
        except ValueError as exc:
            raise DataError(f"{where}: the {task} {level} table is malformed: {exc}") from None
    return out
