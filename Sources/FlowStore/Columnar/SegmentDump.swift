import FlowModel
import Foundation

/// Every stored row of a partition as text, straight from its segments: what `check` and the
/// tests read to compare a partition with its input, independently of the query engine.
public enum SegmentDump {
    /// The rows of `table`'s partition of `day` (all segments, stored or not), in write order:
    /// per row the text of each of `columns` ("NULL" for NULL), addresses and words decoded.
    public static func rows(store: FlowStore, day: PartitionDay, table: FlowTable = .vpc, columns: [String]) throws -> [[String]] {
        let reader = try PartitionReader(path: store.partitionPath(for: day, table: table))
        var rows: [[String]] = []
        for segment in try reader.segments(watermark: .max, unfinished: []) {
            var decoded: [[String]] = []
            for name in columns {
                decoded.append(try column(name, of: segment, reader: reader))
            }
            for row in 0..<segment.rows { rows.append(decoded.map { $0[row] }) }
        }
        return rows
    }

    private static func column(_ name: String, of segment: PartitionReader.Segment, reader: PartitionReader) throws -> [String] {
        guard let (id, kind) = reader.columns[name] else { return [String](repeating: "NULL", count: segment.rows) }
        let found: [String]? = try reader.withColumn(segment: segment.id, column: id) { bytes in
            var values = [Int64](repeating: 0, count: segment.rows)
            var nulls: [Bool]? = nil
            let used = try values.withUnsafeMutableBufferPointer { try IntegerColumnCodec.decode(bytes, into: $0.baseAddress!, isNull: &nulls) }
            var tail = Reader(UnsafeRawBufferPointer(rebasing: bytes[used...]))
            var words: [String] = []
            var ipv6: [[UInt8]] = []
            switch kind {
            case .text:
                let count = Int(tail.u32() ?? 0)
                for _ in 0..<count { words.append(try reader.word(tail.i64() ?? 0) ?? "?") }
            case .address:
                let count = Int(tail.u32() ?? 0)
                for _ in 0..<count { ipv6.append(Array(tail.bytes(16) ?? UnsafeRawBufferPointer(start: nil, count: 0))) }
            default: break
            }
            return values.enumerated().map { index, value in
                if nulls?[index] == true { return "NULL" }
                switch kind {
                case .text: return Int(value) < words.count ? words[Int(value)] : "?"
                case .address:
                    if value < 1 << 32 { return IPAddress.format(v4: UInt32(value)) }
                    let local = Int(value - (1 << 32))
                    return local < ipv6.count ? IPAddress.format(v6: ipv6[local]) : "?"
                default: return String(value)
                }
            }
        }
        return found ?? [String](repeating: "NULL", count: segment.rows)
    }
}
