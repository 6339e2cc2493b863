import FlowModel
import FlowStore

/// One partition opened for a query: its segments, and their columns decoded into the query's
/// representation (text as `StringPool` ids, addresses as `AddressPool` codes).
final class PartitionColumns {
    let reader: PartitionReader
    let day: PartitionDay
    let pools: Pools
    /// Partition dictionary id -> the query's text id.
    private var textIDs: [Int64: Int64] = [:]

    init(reader: PartitionReader, day: PartitionDay, pools: Pools) {
        self.reader = reader
        self.day = day
        self.pools = pools
    }

    /// The column `name` of `segment`, decoded; nil when the segment does not have it (its
    /// values read as NULL).
    func decode(_ name: String, of segment: PartitionReader.Segment, at positions: [Int32]? = nil) throws -> Vector? {
        guard let (id, kind) = reader.columns[name], segment.zones[id] != nil else { return nil }
        let rows = positions?.count ?? segment.rows
        var values = [Int64](unsafeUninitializedCapacity: rows) { _, initialized in initialized = rows }
        var nulls: [Bool]? = nil
        let found: Bool? = try reader.withColumn(segment: segment.id, column: id) { bytes -> Bool in
            let used = try values.withUnsafeMutableBufferPointer { buffer in
                if let positions {
                    return try positions.withUnsafeBufferPointer { try IntegerColumnCodec.decode(bytes, at: $0, into: buffer.baseAddress!, isNull: &nulls) }
                }
                return try IntegerColumnCodec.decode(bytes, into: buffer.baseAddress!, isNull: &nulls)
            }
            var tail = Reader(UnsafeRawBufferPointer(rebasing: bytes[used...]))
            switch kind {
            case .integer, .time:
                break
            case .text:
                let local = try wordIDs(&tail)
                try values.withUnsafeMutableBufferPointer { out in
                    try local.withUnsafeBufferPointer { words in
                        let limit = UInt64(words.count)
                        for index in 0..<rows {
                            let code = UInt64(bitPattern: out[index])
                            if code < limit {
                                out[index] = words[Int(code)]
                            } else if nulls?[index] != true {
                                throw IntegerColumnCodec.CorruptColumn(reason: "a word past the word list")
                            }
                        }
                    }
                }
            case .address:
                let codes = try ipv6Codes(&tail)
                guard !codes.isEmpty else { break }
                for index in 0..<rows where values[index] >= AddressPool.ipv6Base && nulls?[index] != true {
                    let local = Int(values[index] - AddressPool.ipv6Base)
                    guard local < codes.count else { throw IntegerColumnCodec.CorruptColumn(reason: "an address past the IPv6 table") }
                    values[index] = codes[local]
                }
            }
            return true
        }
        guard found == true else { return nil }
        return .ints(values, nulls: nulls)
    }

    /// A text column's word list (the tail after its codes), as the query's text ids.
    func wordIDs(_ tail: inout Reader) throws -> [Int64] {
        guard let count = tail.u32() else { throw IntegerColumnCodec.CorruptColumn(reason: "a text column without its word list") }
        var local = [Int64](repeating: 0, count: Int(count))
        for index in 0..<Int(count) {
            guard let dictionaryID = tail.i64() else { throw IntegerColumnCodec.CorruptColumn(reason: "a word list cut short") }
            local[index] = try textID(dictionaryID)
        }
        return local
    }

    /// An address column's IPv6 table (the tail after its codes), as the query's address codes.
    func ipv6Codes(_ tail: inout Reader) throws -> [Int64] {
        guard let count = tail.u32(), let table = tail.bytes(Int(count) * 16) else {
            throw IntegerColumnCodec.CorruptColumn(reason: "an address column without its IPv6 table")
        }
        var codes = [Int64](repeating: 0, count: Int(count))
        pools.addresses.codes(ofIPv6Table: UnsafeRawBufferPointer(table), into: &codes)
        return codes
    }

    /// The query's id for a dictionary id of this partition.
    private func textID(_ dictionaryID: Int64) throws -> Int64 {
        if let known = textIDs[dictionaryID] { return known }
        guard let word = try reader.word(dictionaryID) else {
            throw IntegerColumnCodec.CorruptColumn(reason: "word \(dictionaryID) is missing from the dictionary")
        }
        let id = pools.strings.id(for: word)
        textIDs[dictionaryID] = id
        return id
    }
}

@available(*, unavailable)
extension PartitionColumns: Sendable {}
