#!/usr/bin/env python3
"""Writes a large AWS-style flow-log Parquet file (GZIP, dictionary on, pyarrow's
default page and row-group sizes) plus the same records as gzip text, for measuring
FlowParquet's decode throughput against text ingest. Not a test fixture: output goes
to the directory given (default /tmp/flowparquet-bench).

Usage: /work/dev/venv/bin/python scripts/make-benchmark-file.py [ROWS] [DIR]
"""
import gzip
import os
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq

FIELDS = [
    ("version", pa.int32()), ("account_id", pa.string()), ("interface_id", pa.string()),
    ("srcaddr", pa.string()), ("dstaddr", pa.string()), ("srcport", pa.int32()),
    ("dstport", pa.int32()), ("protocol", pa.int32()), ("packets", pa.int64()),
    ("bytes", pa.int64()), ("start", pa.int64()), ("end", pa.int64()),
    ("action", pa.string()), ("log_status", pa.string()),
]


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/flowparquet-bench"
    os.makedirs(out, exist_ok=True)
    rng = random.Random(1)
    enis = ["eni-%08x" % rng.randrange(2**32) for _ in range(200)]
    hosts = ["10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(20000)]
    cols = {name: [] for name, _ in FIELDS}
    for i in range(rows):
        nodata = rng.random() < 0.02
        start = 1700000000 + i // 50
        values = {
            "version": 2, "account_id": "123456789012", "interface_id": rng.choice(enis),
            "srcaddr": None if nodata else rng.choice(hosts), "dstaddr": None if nodata else rng.choice(hosts),
            "srcport": None if nodata else rng.randrange(65536), "dstport": None if nodata else rng.choice([443, 80, 22, rng.randrange(65536)]),
            "protocol": None if nodata else rng.choice([6, 6, 6, 17, 1]),
            "packets": None if nodata else rng.randrange(1, 5000), "bytes": None if nodata else rng.randrange(40, 5_000_000),
            "start": start, "end": start + rng.randrange(1, 60),
            "action": None if nodata else rng.choice(["ACCEPT", "ACCEPT", "REJECT"]),
            "log_status": "NODATA" if nodata else "OK",
        }
        for name, _ in FIELDS:
            cols[name].append(values[name])
    table = pa.table(cols, schema=pa.schema([pa.field(n, t) for n, t in FIELDS]))
    pq.write_table(table, os.path.join(out, "flows.log.parquet"), compression="gzip")
    with gzip.open(os.path.join(out, "flows.log.gz"), "wt", compresslevel=6) as f:
        f.write(" ".join(n.replace("_", "-") for n, _ in FIELDS) + "\n")
        for i in range(rows):
            f.write(" ".join("-" if cols[n][i] is None else str(cols[n][i]) for n, _ in FIELDS) + "\n")


if __name__ == "__main__":
    main()
