import FlowStore

extension PartitionColumns {
    /// For a join keyed on stored column `name`: each row's build row (-1: none), for the rows
    /// at `positions` of `segment` (nil: all of them), looking each distinct stored value up
    /// once with `lookup` (values in the query's representation, in, build rows out) and then
    /// mapping the rows' codes through a table that fits the L1 cache. Nil when the column is
    /// not dictionary-coded in this segment; the caller then probes row by row.
    func joinRows(_ name: String, of segment: PartitionReader.Segment, at positions: [Int32]?,
                  lookup: ([Int64]) -> [Int32]) throws -> [Int32]? {
        guard let (id, kind) = reader.columns[name], segment.zones[id] != nil else { return nil }
        let result: [Int32]?? = try reader.withColumn(segment: segment.id, column: id) { bytes -> [Int32]? in
            let view = try ColumnView(bytes)
            guard view.width > 0, view.width <= 16, let packed = view.packed else { return nil }
            var tail = Reader(UnsafeRawBufferPointer(rebasing: bytes[view.end...]))
            let words = kind == .text ? try wordIDs(&tail) : []
            let ipv6 = kind == .address ? try ipv6Codes(&tail) : []
            // The stored value of each code: a dictionary's entries, or for text coded by
            // frame of reference, the word indexes from the base.
            let stored: [Int64]
            var nullCode: Int? = nil
            switch view.kind {
            case .dictionary:
                stored = view.entries
            case .frameOfReference where kind == .text && view.base >= 0 && words.count - Int(view.base) <= 1 << view.width:
                stored = (Int(view.base)..<words.count).map { Int64($0) }
                nullCode = view.hasNulls ? Int(view.nullCode) : nil
            default:
                return nil
            }
            var domain: [Int64] = []
            domain.reserveCapacity(stored.count)
            for stored in stored {
                switch kind {
                case .text:
                    guard stored >= 0, stored < Int64(words.count) else { throw IntegerColumnCodec.CorruptColumn(reason: "a word past the word list") }
                    domain.append(words[Int(stored)])
                case .address where stored >= AddressPool.ipv6Base:
                    let local = Int(stored - AddressPool.ipv6Base)
                    guard local < ipv6.count else { throw IntegerColumnCodec.CorruptColumn(reason: "an address past the IPv6 table") }
                    domain.append(ipv6[local])
                case .address, .integer, .time:
                    domain.append(stored)
                }
            }
            // Code -> build row, for every code the width can hold (NULL's code and codes past
            // the values, which only damage would write, find nothing).
            var byCode = [Int32](repeating: -1, count: 1 << view.width)
            for (code, row) in lookup(domain).enumerated() where code < byCode.count { byCode[code] = row }
            if let nullCode, nullCode < byCode.count { byCode[nullCode] = -1 }
            let count = positions?.count ?? segment.rows
            var codes = [Int64](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
            codes.withUnsafeMutableBufferPointer { out in
                if let positions {
                    positions.withUnsafeBufferPointer { BitPacking.unpack(packed, positions: $0, width: view.width, base: 0, into: out.baseAddress!) }
                } else {
                    BitPacking.unpack(packed, count: count, width: view.width, base: 0, into: out.baseAddress!)
                }
            }
            return byCode.withUnsafeBufferPointer { table in
                codes.withUnsafeBufferPointer { code in
                    [Int32](unsafeUninitializedCapacity: count) { out, initialized in
                        for index in 0..<count { out[index] = table[Int(code[index])] }
                        initialized = count
                    }
                }
            }
        }
        return result ?? nil
    }
}
