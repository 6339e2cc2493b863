import FlowStore
import Synchronization

/// Which rows of a segment a condition keeps, found on the encoded column.
enum SegmentRows {
    /// Every row given.
    case all
    /// None.
    case none
    /// These segment positions, ascending.
    case rows([Int32])
}

/// Truths already known, per condition: the same value in the query's representation (a
/// text id or an address code, both numbered for the whole query) gives the same answer in
/// every segment, so each distinct value is evaluated once per query (once per day for a
/// condition that reads the partition's day), not once per segment. Shared by the workers.
final class ConditionCache: Sendable {
    /// One condition's known truths: values numbered by a `GroupTable`, and each number's truth.
    // `@unchecked Sendable`: a Truths is reached only through `withTruths`, under the
    // cache's lock.
    final class Truths: @unchecked Sendable {
        private let values = GroupTable(keyColumns: 1)
        private var truths: [Bool] = []
        var null: Bool? = nil

        /// The truth known for `key`, or nil.
        func truth(of key: Int64) -> Bool? {
            withLanes(key) { values.existingGroup($0).map { truths[$0] } }
        }

        /// Records the truth of `key`.
        func record(_ key: Int64, _ truth: Bool) {
            let number = withLanes(key) { values.group($0) }
            if number == truths.count { truths.append(truth) } else { truths[number] = truth }
        }

        /// `body` with the key's lanes: the value, then the table's NULL-flags lane.
        private func withLanes<T>(_ key: Int64, _ body: (UnsafePointer<Int64>) -> T) -> T {
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2) { lanes in
                lanes[0] = key
                lanes[1] = 0
                return body(UnsafePointer(lanes.baseAddress!))
            }
        }
    }

    /// Where a condition's truths hold: the condition's index in the filter, and the day when
    /// the condition reads the partition's day.
    struct Key: Hashable {
        let condition: Int
        let day: Int?
    }

    private let byCondition = Mutex<[Key: Truths]>([:])

    /// Calls `body` with the truths of `key`, under the cache's lock.
    func withTruths<T>(_ key: Key, _ body: (Truths) -> T) -> T {
        byCondition.withLock { all in
            if let known = all[key] { return body(known) }
            let made = Truths()
            all[key] = made
            return body(made)
        }
    }
}

extension PartitionColumns {
    /// The rows of `segment` (of `positions`, or all) at which `condition` is true, when the
    /// condition reads no stored column but `name` and the segment stores `name` as a few
    /// distinct values: a text column's word list, a value dictionary, a constant, or nothing
    /// (NULL). The condition is evaluated once per distinct value and once for NULL, by the
    /// same evaluator as row by row, and the rows are then found by their packed codes, so a
    /// condition on `action`, `log_status`, a port or an address costs a table lookup a row
    /// however complex it is (`LIKE '10.%'`, `substr`, a CIDR test).
    ///
    /// Nil when the column is stored otherwise (frame-of-reference numbers), or when evaluating
    /// on the distinct values fails (a value the live rows may not hold could raise an error
    /// they would not): the caller then evaluates row by row.
    func rowsWhere(_ condition: Bound, readsOnly name: String, of segment: PartitionReader.Segment,
                   at positions: [Int32]?, cache: ConditionCache, key: ConditionCache.Key) throws -> SegmentRows? {
        func truthTable(_ condition: Bound, _ name: String, domain: [Int64], withNull: Bool, kind: PartitionSchema.Kind) -> [Bool]? {
            // Numbers are cheap to test again (and stored times depend on the day); text and
            // addresses (formatting, LIKE) are not.
            let shared = kind == .integer || kind == .time ? nil : cache
            return self.truthTable(condition, name, domain: domain, withNull: withNull, cache: shared, key: key)
        }
        guard let (id, kind) = reader.columns[name], segment.zones[id] != nil else {
            // The segment lacks the column: NULL in every row.
            guard let truth = truthTable(condition, name, domain: [], withNull: true, kind: kind(of: name)) else { return nil }
            return truth[0] ? .all : .none
        }
        let result: SegmentRows?? = try reader.withColumn(segment: segment.id, column: id) { bytes -> SegmentRows? in
            let view = try ColumnView(bytes)
            var tail = Reader(UnsafeRawBufferPointer(rebasing: bytes[view.end...]))
            let words = kind == .text ? try wordIDs(&tail) : []
            let ipv6 = kind == .address ? try ipv6Codes(&tail) : []
            func represent(_ stored: Int64) throws -> Int64 {
                switch kind {
                case .text:
                    guard stored >= 0, stored < Int64(words.count) else { throw IntegerColumnCodec.CorruptColumn(reason: "a word past the word list") }
                    return words[Int(stored)]
                case .address:
                    guard stored >= AddressPool.ipv6Base else { return stored }
                    let local = Int(stored - AddressPool.ipv6Base)
                    guard local < ipv6.count else { throw IntegerColumnCodec.CorruptColumn(reason: "an address past the IPv6 table") }
                    return ipv6[local]
                case .integer, .time:
                    return stored
                }
            }
            // The distinct values by raw code, and the raw code of NULL.
            var domain: [Int64] = []
            var nullCode: Int? = nil
            switch view.kind {
            case .allNull:
                guard let truth = truthTable(condition, name, domain: [], withNull: true, kind: kind) else { return nil }
                return truth[0] ? .all : .none
            case .constant:
                guard let truth = truthTable(condition, name, domain: [try represent(view.constant)], withNull: false, kind: kind) else { return nil }
                return truth[0] ? .all : .none
            case .dictionary:
                domain = try view.entries.map(represent)
                nullCode = view.hasNulls ? view.entries.count : nil
            case .frameOfReference:
                // Text codes are word indexes from `base`: the domain is the word list.
                guard kind == .text, view.base >= 0, words.count - Int(view.base) <= 4096 else { return nil }
                domain = try (Int(view.base)..<words.count).map { try represent(Int64($0)) }
                nullCode = view.hasNulls ? Int(view.nullCode) : nil
            }
            guard let truth = truthTable(condition, name, domain: domain, withNull: nullCode != nil, kind: kind) else { return nil }
            // Raw code -> kept, for every code the width can hold: a code past the values is
            // damage and matches nothing.
            if view.width == 0 {
                // Every code is 0.
                let truthOfZero = domain.isEmpty ? (nullCode == 0 ? truth[0] : false) : truth[0]
                return truthOfZero ? .all : SegmentRows.none
            }
            guard view.width <= 16, let packed = view.packed else { return nil }
            var keep = [UInt8](repeating: 0, count: 1 << view.width)
            guard domain.count <= keep.count, (nullCode ?? 0) < keep.count else {
                throw IntegerColumnCodec.CorruptColumn(reason: "more values than the code width holds")
            }
            var anyKept = false, anyDropped = false
            for code in 0..<domain.count {
                keep[code] = truth[code] ? 1 : 0
                if truth[code] { anyKept = true } else { anyDropped = true }
            }
            if let nullCode {
                keep[nullCode] = truth[domain.count] ? 1 : 0
                if truth[domain.count] { anyKept = true } else { anyDropped = true }
            }
            if !anyKept { return SegmentRows.none }
            if !anyDropped { return .all }
            let rows = positions?.count ?? segment.rows
            let kept = [Int32](unsafeUninitializedCapacity: rows) { output, initialized in
                initialized = keep.withUnsafeBufferPointer { table in
                    if let positions {
                        positions.withUnsafeBufferPointer {
                            BitPacking.select(packed, count: rows, positions: $0, width: view.width, table: table.baseAddress!, into: output.baseAddress!)
                        }
                    } else {
                        BitPacking.select(packed, count: rows, positions: nil, width: view.width, table: table.baseAddress!, into: output.baseAddress!)
                    }
                }
            }
            if kept.count == rows { return .all }
            return kept.isEmpty ? SegmentRows.none : .rows(kept)
        }
        return result ?? nil
    }

    /// The storage kind of `name` in this partition (text when unknown).
    private func kind(of name: String) -> PartitionSchema.Kind {
        reader.columns[name]?.kind ?? .text
    }

    /// Whether `condition` is true for each value of `domain` (distinct values in the query's
    /// representation) and, last, for NULL; nil when evaluating fails. Values `cache` knows
    /// are not evaluated again.
    private func truthTable(_ condition: Bound, _ name: String, domain: [Int64], withNull: Bool,
                            cache: ConditionCache?, key: ConditionCache.Key) -> [Bool]? {
        var missing: [Int64] = []
        var needNull = withNull
        var result = [Bool](repeating: false, count: domain.count + (withNull ? 1 : 0))
        var unknown: [Int] = []
        if let cache {
            cache.withTruths(key) { truths in
                for (position, value) in domain.enumerated() {
                    if let truth = truths.truth(of: value) {
                        result[position] = truth
                    } else {
                        unknown.append(position)
                        missing.append(value)
                    }
                }
                if withNull, let known = truths.null {
                    result[domain.count] = known
                    needNull = false
                }
            }
        } else {
            missing = domain
            unknown = Array(domain.indices)
        }
        guard !missing.isEmpty || needNull else { return result }
        let count = missing.count + (needNull ? 1 : 0)
        let vector = Vector.ints(needNull ? missing + [0] : missing,
                                 nulls: needNull ? [Bool](repeating: false, count: missing.count) + [true] : nil)
        let context = EvaluationContext(pools: pools, day: day, count: count) { column, _ in column == name ? vector : nil }
        guard let truth = try? Evaluator.evaluate(condition, context) else { return nil }
        var table = [Bool](repeating: false, count: count)
        for row in Evaluator.trueRows(truth) { table[Int(row)] = true }
        for (next, position) in unknown.enumerated() { result[position] = table[next] }
        if needNull { result[domain.count] = table[missing.count] }
        cache?.withTruths(key) { truths in
            for (next, value) in missing.enumerated() { truths.record(value, table[next]) }
            if needNull { truths.null = table[missing.count] }
        }
        return result
    }
}
