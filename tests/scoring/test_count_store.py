import json

import numpy as np
import pytest

from bench import count_store
from bench.io import DataError
from tests.fixtures import sub_table, table


def _tables():
    doc = table("timex", ("gold", "pred"), {"d1": [2.0, 1.5], "d2": [0.25, 0.0]})
    sub = sub_table("timex", ("gold",), {"d1": [[1.0], [1.0]], "d2": [[0.25]]})
    return [("timex", "sentence", doc, sub)]


def test_tables_round_trip_and_encode_to_the_same_bytes():
    data = count_store.encode_tables(_tables())
    assert data == count_store.encode_tables(_tables())
    out = count_store.decode(data, "r.counts.parquet")
    _, _, doc, sub = _tables()[0]
    assert out[("timex", "document")] == doc and out[("timex", "sub")] == sub
    assert out[("timex", "sub")].units == ("d1#sentence0", "d1#sentence1", "d2#sentence0")


def test_counts_are_one_binary_value_of_little_endian_doubles_per_row():
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(pa.BufferReader(count_store.encode_tables(_tables())))
    assert t.schema.field("counts").type == pa.large_binary()
    assert t.column("counts")[0].as_py() == np.array([2.0, 1.5], "<f8").tobytes()


def _v1(tables) -> bytes:
    """A sidecar as format v1 wrote it: counts as list<double>."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {count_store.META_KEY: json.dumps({"format": count_store.FORMAT_V1,
                                              "fields": count_store._fields(tables)}).encode()}
    rows = {"task": [], "level": [], "doc": [], "doc_id": [], "counts": []}
    for task, _, doc, sub in tables:
        docs = {d: i for i, d in enumerate(doc.units)}
        for level, t in (("document", doc), ("sub", sub)):
            for unit, values in zip(t.units, t.values.tolist()):
                rows["task"].append(task)
                rows["level"].append(level)
                rows["doc"].append(docs[unit.rsplit("#", 1)[0]])
                rows["doc_id"].append(unit if level == "document" else None)
                rows["counts"].append(values)
    schema = pa.schema([("task", pa.string()), ("level", pa.string()), ("doc", pa.int32()), ("doc_id", pa.string()),
                        ("counts", pa.list_(pa.float64()))], metadata=meta)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(rows, schema=schema), sink)
    return sink.getvalue().to_pybytes()


def test_a_version_1_sidecar_is_still_read():
    _, _, doc, sub = _tables()[0]
    out = count_store.decode(_v1(_tables()), "old.counts.parquet")
    assert out[("timex", "document")] == doc and out[("timex", "sub")] == sub


def _with_counts(data: bytes, counts) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(pa.BufferReader(data))
    t = t.set_column(t.schema.get_field_index("counts"), pa.field("counts", pa.large_binary()),
                     pa.array(counts, pa.large_binary()))
    sink = pa.BufferOutputStream()
    pq.write_table(t, sink)
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize("broken", [
    lambda rows: [rows[0][:-1]] + rows[1:],  # a row cut inside a float
    lambda rows: [rows[0][:8]] + rows[1:],  # a row one value short
    lambda rows: [None] + rows[1:],  # a row without counts
])
def test_malformed_counts_are_a_one_line_error(broken):
    data = count_store.encode_tables(_tables())
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = pq.read_table(pa.BufferReader(data)).column("counts").to_pylist()
    with pytest.raises(DataError, match=r"^r\.counts\.parquet: ") as exc:
        count_store.decode(_with_counts(data, broken(rows)), "r.counts.parquet")
    assert "\n" not in str(exc.value)
