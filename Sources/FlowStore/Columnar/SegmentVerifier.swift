import FlowSQLite

/// `check`'s look inside a partition's segments: every column of every visible segment decodes,
/// holds the segment's row count, and stays within its zone map.
enum SegmentVerifier {
    /// The problems found, as sentences.
    static func verify(_ database: Database, watermark: Int64, pending: Set<Int64>) throws -> [String] {
        var problems: [String] = []
        let segments = try database.rows("SELECT id, file_id, rows FROM segments WHERE file_id <= ? ORDER BY id", [.integer(watermark)])
        let zones = try database.prepare("SELECT column_id, min, max, nulls FROM zones WHERE segment_id = ?")
        let blob = try database.prepare("SELECT data FROM blobs WHERE id = ?")
        var values: [Int64] = []
        for segment in segments {
            guard let id = segment[0].integerValue, let fileID = segment[1].integerValue, let rows = segment[2].integerValue,
                  !pending.contains(fileID) else { continue }
            try zones.bind([.integer(id)])
            var columns: [(Int64, Int64?, Int64?, Int64)] = []
            while try zones.step() {
                columns.append((zones.int64(at: 0), zones.isNull(at: 1) ? nil : zones.int64(at: 1), zones.isNull(at: 2) ? nil : zones.int64(at: 2), zones.int64(at: 3)))
            }
            zones.reset()
            for (column, low, high, nulls) in columns {
                try blob.bind([.integer(PartitionSchema.blobID(segment: id, column: Int(column)))])
                defer { blob.reset() }
                guard try blob.step() else {
                    problems.append("segment \(id) has no data for column \(column)")
                    continue
                }
                let bytes = blob.bytes(at: 0)
                do {
                    let count = try IntegerColumnCodec.count(of: bytes)
                    guard count == Int(rows) else {
                        problems.append("segment \(id), column \(column): \(count) values for \(rows) rows")
                        continue
                    }
                    if values.count < count { values = [Int64](repeating: 0, count: count) }
                    var isNull: [Bool]? = nil
                    try values.withUnsafeMutableBufferPointer { buffer in
                        _ = try IntegerColumnCodec.decode(bytes, into: buffer.baseAddress!, isNull: &isNull)
                    }
                    let nullCount = isNull?.filter { $0 }.count ?? 0
                    if nullCount != Int(nulls) { problems.append("segment \(id), column \(column): \(nullCount) NULLs, its zone map says \(nulls)") }
                    if let low, let high {
                        for index in 0..<count where isNull?[index] != true && (values[index] < low || values[index] > high) {
                            problems.append("segment \(id), column \(column): a value outside its zone map")
                            break
                        }
                    }
                } catch {
                    problems.append("segment \(id), column \(column): \(error)")
                }
            }
        }
        return problems
    }
}
