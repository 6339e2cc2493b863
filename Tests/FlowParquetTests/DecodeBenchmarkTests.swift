import Foundation
import Testing
import FlowParquet

/// Decode throughput on a large file; runs only when `FLOWPARQUET_BENCH` names one:
///   FLOWPARQUET_BENCH=/tmp/flowparquet-bench/flows.log.parquet \
///     swift test -c release --filter DecodeBenchmark
@Suite("DecodeBenchmark")
struct DecodeBenchmarkTests {
    static let path = ProcessInfo.processInfo.environment["FLOWPARQUET_BENCH"]

    @Test("decode every column of every row group", .enabled(if: path != nil))
    func decodeAll() throws {
        let path = try #require(DecodeBenchmarkTests.path)
        var best = Double.infinity
        var checksum: Int64 = 0
        var rows = 0
        for _ in 0..<3 {
            let clock = ContinuousClock()
            let start = clock.now
            let file = try ParquetFile(path: path)
            rows = 0
            checksum = 0
            for group in 0..<file.rowGroupCount {
                let reader = try file.rows(ofRowGroup: group, columns: Array(file.columns.indices), batchSize: 8192)
                while let batch = try reader.next() {
                    rows += batch.rowCount
                    for column in batch.columns {
                        switch column.values {
                        case .integers(let v): checksum &+= v.last ?? 0
                        case .bytes(let b): checksum &+= Int64(b.bytes.count)
                        case .doubles(let v): checksum &+= Int64(v.count)
                        case .booleans(let v): checksum &+= Int64(v.count)
                        }
                    }
                }
            }
            let elapsed = clock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print(String(format: "FlowParquet decode: %d rows in %.3f s = %.2f M rows/s, %.1f MB/s of Parquet (checksum %lld)",
                     rows, best, Double(rows) / best / 1e6, Double(size) / best / 1e6, checksum))
        #expect(rows > 0)
    }
}
