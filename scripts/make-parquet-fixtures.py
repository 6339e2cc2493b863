#!/usr/bin/env python3
"""Writes the FlowParquet test fixtures with pyarrow.

Every `NAME.parquet` gets a sibling `NAME.expected.log`: the same records as a
flow-log text file (header of hyphenated field names, space-separated values,
`-` for NULL), rendered by Python from the in-memory rows, never by reading the
Parquet back, so it is an independent oracle for the Swift decoder.

Usage: /work/dev/venv/bin/python scripts/make-parquet-fixtures.py
"""
import gzip
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "FlowParquetTests", "Fixtures")
INT64_MAX = 2**63 - 1

# AWS's Parquet schema for flow logs: INT32 for small ints, INT64 for counters and
# times, UTF8 strings for everything else; every field nullable.
V2_FIELDS = [
    ("version", pa.int32()), ("account_id", pa.string()), ("interface_id", pa.string()),
    ("srcaddr", pa.string()), ("dstaddr", pa.string()), ("srcport", pa.int32()),
    ("dstport", pa.int32()), ("protocol", pa.int32()), ("packets", pa.int64()),
    ("bytes", pa.int64()), ("start", pa.int64()), ("end", pa.int64()),
    ("action", pa.string()), ("log_status", pa.string()),
]
V5_EXTRA = [
    ("vpc_id", pa.string()), ("subnet_id", pa.string()), ("instance_id", pa.string()),
    ("tcp_flags", pa.int32()), ("type", pa.string()), ("pkt_srcaddr", pa.string()),
    ("pkt_dstaddr", pa.string()), ("region", pa.string()), ("az_id", pa.string()),
    ("sublocation_type", pa.string()), ("sublocation_id", pa.string()),
    ("pkt_src_aws_service", pa.string()), ("pkt_dst_aws_service", pa.string()),
    ("flow_direction", pa.string()), ("traffic_path", pa.int32()),
]


def ip(rng):
    if rng.random() < 0.25:
        return "2001:db8:%x::%x" % (rng.randrange(0x10000), rng.randrange(1, 0x10000))
    return "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def flow_rows(rng, n, v5=False):
    rows = []
    accounts = ["123456789012", "210987654321", "000000000001"]
    enis = ["eni-%08x" % rng.randrange(2**32) for _ in range(6)]
    for i in range(n):
        start = 1700000000 + i * 7
        status = "OK"
        roll = rng.random()
        if i % 17 == 5 or roll < 0.04:
            status = "NODATA"
        elif i % 23 == 7 or roll < 0.07:
            status = "SKIPDATA"
        r = {
            "version": 5 if v5 else 2,
            "account_id": rng.choice(accounts),
            "interface_id": rng.choice(enis),
            "start": start,
            "end": start + rng.randrange(1, 600),
            "log_status": status,
        }
        if status == "OK":
            r.update({
                "srcaddr": ip(rng), "dstaddr": ip(rng),
                "srcport": rng.choice([0, 22, 443, 65535, rng.randrange(1024, 65536)]),
                "dstport": rng.choice([0, 80, 443, 3306, rng.randrange(1024, 65536)]),
                "protocol": rng.choice([6, 17, 1, 58]),
                "packets": rng.choice([0, 1, rng.randrange(1, 10**6)]),
                "bytes": rng.choice([0, 40, INT64_MAX, rng.randrange(1, 10**9)]),
                "action": rng.choice(["ACCEPT", "REJECT"]),
            })
            if rng.random() < 0.05:  # the odd OK row with a hole in it
                r[rng.choice(["srcport", "bytes", "dstaddr", "action"])] = None
        if v5:
            r.update({
                "vpc_id": "vpc-%06x" % rng.randrange(4),
                "subnet_id": rng.choice(["subnet-aa", "subnet-bb", None]),
                "instance_id": rng.choice(["i-0123456789abcdef0", None]),
                "tcp_flags": rng.choice([0, 2, 18, 19, None]),
                "type": rng.choice(["IPv4", "IPv6", None]),
                "pkt_srcaddr": ip(rng) if rng.random() < 0.7 else None,
                "pkt_dstaddr": ip(rng) if rng.random() < 0.7 else None,
                "region": rng.choice(["us-east-1", "eu-west-1"]),
                "az_id": rng.choice(["use1-az1", "euw1-az2"]),
                "sublocation_type": rng.choice(["wavelength", "outpost", None]),
                "sublocation_id": rng.choice(["sl-1", None]),
                "pkt_src_aws_service": rng.choice(["S3", "AMAZON", None, None]),
                "pkt_dst_aws_service": rng.choice(["DYNAMODB", None, None]),
                "flow_direction": rng.choice(["ingress", "egress"]),
                "traffic_path": rng.choice([1, 2, 8, None]),
            })
        rows.append(r)
    return rows


def render(value):
    # A text flow log has no empty values: "-" says "none", as flowq reads an empty string.
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write(name, fields, rows, **options):
    schema = pa.schema([pa.field(n, t, nullable=True) for n, t in fields])
    columns = {n: [r.get(n) for r in rows] for n, _ in fields}
    table = pa.table(columns, schema=schema)
    pq.write_table(table, os.path.join(OUT, name + ".parquet"), **options)
    with open(os.path.join(OUT, name + ".expected.log"), "w") as f:
        f.write(" ".join(n.replace("_", "-") for n, _ in fields) + "\n")
        for r in rows:
            f.write(" ".join(render(r.get(n)) for n, _ in fields) + "\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    rng = random.Random(20240607)
    # Small pages and row groups so every file has several of each; write_batch_size
    # bounds how many rows pyarrow buffers before it checks the page size.
    paging = dict(row_group_size=20, data_page_size=100, write_batch_size=8, store_schema=False)
    for codec in ["gzip", "snappy", "none"]:
        for page_version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                name = "flows-%s-v%s-%s" % (codec, page_version[0], "dict" if dictionary else "plain")
                write(name, V2_FIELDS, flow_rows(rng, 50), compression=codec,
                      data_page_version=page_version, use_dictionary=dictionary, **paging)
    # Dictionary that overflows mid-chunk: the writer falls back to PLAIN pages
    # after a dictionary page and some RLE_DICTIONARY pages.
    write("flows-dict-fallback", V2_FIELDS, flow_rows(rng, 60), compression="snappy",
          use_dictionary=True, dictionary_pagesize_limit=200, row_group_size=60, store_schema=False,
          data_page_size=300, write_batch_size=16)
    # Newer (v5) field layout, AWS's default GZIP codec, one row group.
    write("flows-v5-fields", V2_FIELDS + V5_EXTRA, flow_rows(rng, 40, v5=True),
          compression="gzip", data_page_size=400, store_schema=False, write_batch_size=16)
    # Extra columns a reader must pass through: BOOLEAN (PLAIN in v1 pages, RLE in
    # v2), FLOAT, DOUBLE and FIXED_LEN_BYTE_ARRAY.
    extra = V2_FIELDS + [("x_flag", pa.bool_()), ("x_ratio", pa.float64()),
                         ("x_weight", pa.float32()), ("x_digest", pa.binary(4))]
    for page_version in ["1.0", "2.0"]:
        rows = flow_rows(rng, 30)
        for r in rows:
            r["x_flag"] = rng.choice([True, False, None])
            r["x_ratio"] = rng.choice([0.5, -2.25, 1e300, 0.0, None])
            r["x_weight"] = rng.choice([1.5, -0.125, None])
            r["x_digest"] = rng.choice([bytes([rng.randrange(256) for _ in range(4)]), None])
        write("flows-extra-columns-v%s" % page_version[0], extra, rows, compression="snappy",
              data_page_version=page_version, row_group_size=12, data_page_size=200,
              write_batch_size=8, store_schema=False)
    # Required (non-nullable) columns: no definition levels at all.
    schema = pa.schema([pa.field("srcport", pa.int32(), nullable=False),
                        pa.field("action", pa.string(), nullable=False)])
    req_rows = [{"srcport": i * 7 % 65536, "action": ["ACCEPT", "REJECT"][i % 2]} for i in range(30)]
    table = pa.table({"srcport": [r["srcport"] for r in req_rows],
                      "action": [r["action"] for r in req_rows]}, schema=schema)
    pq.write_table(table, os.path.join(OUT, "flows-required.parquet"), compression="none")
    with open(os.path.join(OUT, "flows-required.expected.log"), "w") as f:
        f.write("srcport action\n")
        for r in req_rows:
            f.write("%d %s\n" % (r["srcport"], r["action"]))

    # Values a record may not hold, each in its own row among good ones (for the ingest
    # tests: the reader's own oracle test cannot split "a b" back into one value): every bad row is
    # skipped as its text line is (a blank splits the text field; the rest break a rule),
    # and an empty string or "-" is NULL in both.
    bad = flow_rows(rng, 14)
    for r in bad:
        r["start"], r["end"] = 1704067200 + rng.randrange(3600), 1704070800
    bad[1]["interface_id"] = "eni-a b"
    bad[2]["interface_id"] = "eni-\u00e9t\u00e9"
    bad[3]["dstport"] = 70000
    bad[4]["start"] = -5
    bad[5]["start"] = None
    bad[6]["srcaddr"] = "999.1.1.1"
    bad[7]["action"] = "MAYBE"
    bad[8]["interface_id"] = ""
    bad[9]["interface_id"] = "-"
    bad[10]["start"] = 1704067200123
    bad[11]["account_id"] = "12\t34"
    write("ingest-bad-values", V2_FIELDS, bad, compression="gzip", store_schema=False)

    # Files the reader must reject, with no oracle.
    small = pa.table({"srcport": pa.array([1, 2, None], pa.int32())})
    pq.write_table(small, os.path.join(OUT, "reject-zstd.parquet"), compression="zstd")
    pq.write_table(small, os.path.join(OUT, "reject-delta.parquet"), compression="none",
                   use_dictionary=False, column_encoding={"srcport": "DELTA_BINARY_PACKED"})
    nested = pa.table({"id": pa.array([1, 2], pa.int32()),
                       "tags": pa.array([["a"], ["b", "c"]], pa.list_(pa.string()))})
    pq.write_table(nested, os.path.join(OUT, "reject-nested.parquet"), compression="none")
    legacy = pa.table({"ts": pa.array([0, 1], pa.timestamp("ns"))})
    pq.write_table(legacy, os.path.join(OUT, "reject-int96.parquet"), compression="none",
                   use_deprecated_int96_timestamps=True)
    # Two gzip members back to back, for the multi-member inflate test.
    with open(os.path.join(OUT, "two-members.gz"), "wb") as f:
        f.write(gzip.compress(b"first member, ") + gzip.compress(b"second member"))


if __name__ == "__main__":
    main()
