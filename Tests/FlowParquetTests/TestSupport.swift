import Foundation
@testable import FlowParquet

/// Test fixtures live beside this file, so tests find them wherever the package sits.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

func fixturePath(_ name: String) -> String { fixturesDirectory.appendingPathComponent(name).path }

/// Every `.parquet` fixture that has an `.expected.log` oracle beside it.
let oracleFixtures: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)) ?? []
    // `ingest-` fixtures hold values their text twin cannot (a blank splits it): FlowIngest's tests use them.
    return names.filter { $0.hasSuffix(".parquet") && !$0.hasPrefix("ingest-") && names.contains($0.replacingOccurrences(of: ".parquet", with: ".expected.log")) }.sorted()
}()

/// Renders one cell the way the fixture script renders the oracle: `-` for null,
/// Python-style numbers, `true`/`false`, UTF-8 for strings and hex for other bytes.
func render(_ column: ParquetColumnBatch, _ row: Int) -> String {
    if column.isNull(row) { return "-" }
    switch column.values {
    case .integers(let v): return String(v[row])
    case .doubles(let v): return "\(v[row])"
    case .booleans(let v): return v[row] ? "true" : "false"
    case .bytes(let v):
        if column.column.logicalType == .string { return v.string(at: row) }
        return v[row].map { String(format: "%02x", $0) }.joined()
    }
}

/// Decodes every row of `file` (all columns, all row groups) into text records.
func decodeAllRows(_ file: ParquetFile, batchSize: Int = 1000, columns: [Int]? = nil) throws -> [[String]] {
    var rows: [[String]] = []
    let selected = columns ?? Array(file.columns.indices)
    for group in 0..<file.rowGroupCount {
        let reader = try file.rows(ofRowGroup: group, columns: selected, batchSize: batchSize)
        while let batch = try reader.next() {
            for r in 0..<batch.rowCount {
                rows.append(batch.columns.map { render($0, r) })
            }
        }
    }
    return rows
}

/// The oracle: header names and records of an `.expected.log`.
func readOracle(_ parquetName: String) throws -> (header: [String], rows: [[String]]) {
    let path = fixturePath(parquetName.replacingOccurrences(of: ".parquet", with: ".expected.log"))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: " ").map(String.init) }
    let header = lines.removeFirst()
    return (header, lines)
}

/// Writes `bytes` to a fresh temporary file and returns its path.
func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowparquet-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

/// Opens `path` and decodes everything; returns nil on success or the error thrown.
func decodeExpectingOnlyParquetErrors(_ path: String) -> (Error?, [[String]]) {
    do {
        let file = try ParquetFile(path: path)
        return (nil, try decodeAllRows(file, batchSize: 37))
    } catch {
        return (error, [])
    }
}

/// A small deterministic PRNG (SplitMix64) so fuzz cases are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Builders for Thrift compact bytes in tests.
enum Compact {
    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }
    static func zigzag(_ v: Int64) -> [UInt8] { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    /// A field header in short form (delta 1...15) or long form (delta 0 + zigzag id).
    static func field(delta: Int? = nil, id: Int16 = 0, type: UInt8) -> [UInt8] {
        if let delta { return [UInt8(delta << 4) | type] }
        return [type] + zigzag(Int64(id))
    }
}
