import FlowModel

/// One joined inventory table, ready for the flow rows to probe: the columns the query reads
/// as vectors in the run's pools, and a hash table from each key to its rows.
///
/// Built once per run from the plan's rows (after the conditions on this table alone), then
/// only read by the workers. The flow side is never collected: each batch of flow rows looks
/// its keys up and goes on.
final class HashJoinTable: @unchecked Sendable {
    // `@unchecked Sendable`: every stored property is a `let` filled in `init`; workers only read.
    let step: JoinStepPlan
    /// The build rows' columns the query reads, by joined-column name.
    private let columns: [String: Vector]
    /// Rows kept after the table's own conditions.
    let count: Int
    /// Single text key: pool id -> first row + 1 (0: none). Ids handed out after the table was
    /// built belong to no row of it, so they fall past the end.
    private let dense: [Int32]?
    /// Other keys: hash of the key values -> first row.
    private let heads: JoinHashIndex
    /// The next row with the same hash (-1: none), per row.
    private let next: [Int32]
    /// The key values per key column, per row (to tell apart keys that share a hash).
    private let keys: [[Int64]]
    /// No two build rows share a key: a probe row matches at most one.
    private let unique: Bool

    init(_ step: JoinStepPlan, pools: Pools) throws {
        self.step = step
        // Every column as a vector (text as pool ids, as stored flow text is).
        var all: [String: Vector] = [:]
        for (index, column) in step.columns.enumerated() {
            let values = step.rows.map { $0[index] }
            var vector = Vector.from(values, type: column.type, form: column.form, pools: pools)
            if case .strings(let texts) = vector.data {
                vector = .ints(pools.strings.ids(for: texts, nulls: vector.nulls), nulls: vector.nulls)
            }
            all[JoinedColumn.name(table: step.table, column: column.name)] = vector
        }
        let everything = EvaluationContext(pools: pools, day: nil, count: step.rows.count) { name, positions in
            guard let vector = all[name] else { return nil }
            return positions.map { vector.gathered($0) } ?? vector
        }
        var context = everything
        for condition in step.buildFilter {
            let passing = Evaluator.trueRows(try Evaluator.evaluate(condition, context))
            context = try context.restricted(to: passing)
        }
        let kept = context.count
        count = kept
        var used: [String: Vector] = [:]
        for column in step.columns {
            let name = JoinedColumn.name(table: step.table, column: column.name)
            used[name] = try context.values(of: name)
        }
        columns = used

        var keyValues: [[Int64]] = []
        var valid = [Bool](repeating: true, count: kept)
        for (bound, domain) in zip(step.buildKeys, step.domains) {
            let vector = try Evaluator.evaluate(bound, context)
            let (values, ok) = JoinKeys.encode(vector, bound, domain, pools: pools, adding: true)
            if let ok { for row in 0..<kept where !ok[row] { valid[row] = false } }
            keyValues.append(values)
        }
        keys = keyValues
        var next = [Int32](repeating: -1, count: kept)
        if keyValues.count == 1, step.domains[0] == .text {
            let size = (keyValues[0].enumerated().filter { valid[$0.offset] }.map(\.element).max() ?? -1) + 1
            var dense = [Int32](repeating: 0, count: Int(size))
            // Rows are chained in reverse so a key's rows come out in table order.
            for row in stride(from: kept - 1, through: 0, by: -1) where valid[row] {
                let id = Int(keyValues[0][row])
                next[row] = dense[id] - 1
                dense[id] = Int32(row + 1)
            }
            self.dense = dense
            heads = JoinHashIndex(capacity: 0)
        } else {
            var heads = JoinHashIndex(capacity: kept)
            for row in stride(from: kept - 1, through: 0, by: -1) where valid[row] {
                next[row] = heads.insert(JoinKeys.hash(keyValues, row), row: Int32(row))
            }
            self.dense = nil
            self.heads = heads
        }
        self.next = next
        unique = !next.contains { $0 >= 0 }
    }

    /// The matching pairs of a batch: for each probe row (in order) its build rows; a LEFT
    /// JOIN's row without one gets build row -1.
    func probe(_ probeKeys: [Vector], pools: Pools, count: Int, keepUnmatched: Bool) -> JoinMatches {
        var encoded: [[Int64]] = []
        var valid: [Bool]? = nil
        for (index, vector) in probeKeys.enumerated() {
            let (values, ok) = JoinKeys.encode(vector, step.probeKeys[index], step.domains[index], pools: pools, adding: false)
            if let ok {
                if valid == nil { valid = ok } else { for row in 0..<count where !ok[row] { valid![row] = false } }
            }
            encoded.append(values)
        }
        // One build row per key (the usual inventory join): one pass fills the matches.
        if unique {
            var build = encoded.count == 1 ? storedRows(encoded[0]) : [Int32](repeating: -1, count: count)
            if encoded.count > 1 {
                for row in 0..<count {
                    let match = heads.first(JoinKeys.hash(encoded, row))
                    if match >= 0 && JoinKeys.equal(encoded, row, keys, Int(match)) { build[row] = match }
                }
            }
            if let valid {
                for row in 0..<count where !valid[row] { build[row] = -1 }
            }
            let matched = build.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
            return Self.matches(build, matched: matched, keepUnmatched: keepUnmatched)
        }
        var probeRows: [Int32] = []
        var buildRows: [Int32] = []
        probeRows.reserveCapacity(count)
        buildRows.reserveCapacity(count)
        var missing = false
        for row in 0..<count {
            var found = false
            if valid?[row] != false {
                var match: Int32
                if let dense {
                    let id = encoded[0][row]
                    match = id >= 0 && id < Int64(dense.count) ? dense[Int(id)] - 1 : -1
                } else {
                    match = heads.first(JoinKeys.hash(encoded, row))
                }
                while match >= 0 {
                    if dense != nil || JoinKeys.equal(encoded, row, keys, Int(match)) {
                        probeRows.append(Int32(row))
                        buildRows.append(match)
                        found = true
                    }
                    match = next[Int(match)]
                }
            }
            if !found && keepUnmatched {
                probeRows.append(Int32(row))
                buildRows.append(-1)
                missing = true
            }
        }
        return JoinMatches(probe: probeRows, build: buildRows, isIdentity: false, hasMissing: missing)
    }

    /// The matches of a batch whose rows each have at most one build row (`build`, -1: none).
    static func matches(_ build: [Int32], matched: Int, keepUnmatched: Bool) -> JoinMatches {
        let count = build.count
        if matched == count || keepUnmatched {
            return JoinMatches(probe: [], build: build, isIdentity: true, hasMissing: matched < count)
        }
        var probeRows: [Int32] = []
        var buildRows: [Int32] = []
        probeRows.reserveCapacity(matched)
        buildRows.reserveCapacity(matched)
        for row in 0..<count where build[row] >= 0 {
            probeRows.append(Int32(row))
            buildRows.append(build[row])
        }
        return JoinMatches(probe: probeRows, build: buildRows, isIdentity: false, hasMissing: false)
    }

    /// Whether a batch may be matched through `storedRows`: one key that is a stored column,
    /// in a table where a key has at most one row.
    var probesStoredColumn: String? {
        guard unique, step.probeKeys.count == 1, step.domains[0] != .double, case .column(let name) = step.probeKeys[0].node,
              !JoinedColumn.isJoined(name) else { return nil }
        return name
    }

    /// The build row of each value (in the query's representation; -1: none).
    func storedRows(_ values: [Int64]) -> [Int32] {
        var out = [Int32](repeating: -1, count: values.count)
        out.withUnsafeMutableBufferPointer { out in
            if let dense {
                for (index, value) in values.enumerated() where value >= 0 && value < Int64(dense.count) {
                    out[index] = dense[Int(value)] - 1
                }
            } else {
                values.withUnsafeBufferPointer { _ = heads.firstRows($0, into: out) }
            }
        }
        return out
    }

    /// `context` narrowed to the probe rows of `matches`, with this table's columns at their
    /// build rows (NULL for -1).
    func joined(_ context: EvaluationContext, _ matches: JoinMatches) throws -> EvaluationContext {
        let target = matches.isIdentity ? context : try context.restricted(to: matches.probe)
        for (name, vector) in columns {
            target.set(name, matches.hasMissing ? vector.gathered(matches.build, missingAt: -1) : vector.gathered(matches.build))
        }
        return target
    }
}

/// What a batch of flow rows matched: pairs of a probe row and a build row (-1: none, for a
/// LEFT JOIN's row without a match).
struct JoinMatches {
    /// Probe rows, one per pair, in order; empty when `isIdentity`.
    var probe: [Int32]
    /// Build rows, one per pair.
    var build: [Int32]
    /// Every probe row once, in order (each matched at most one build row, or was kept).
    var isIdentity: Bool
    /// Some build row is -1.
    var hasMissing: Bool

    var count: Int { build.count }

    /// The probe row of pair `index`.
    @inline(__always)
    func probeRow(_ index: Int) -> Int32 { isIdentity ? Int32(index) : probe[index] }
}

/// Join keys as 64-bit values in one domain, and their hashes.
enum JoinKeys {
    /// The values of `vector` (bound as `bound`) in `domain`, with false where a row has no key
    /// (NULL, or text no build row holds when probing).
    static func encode(_ vector: Vector, _ bound: Bound, _ domain: JoinKeyDomain, pools: Pools, adding: Bool) -> ([Int64], [Bool]?) {
        var ok = vector.nulls.map { $0.map { !$0 } }
        func invalidate(_ row: Int) {
            if ok == nil { ok = [Bool](repeating: true, count: vector.count) }
            ok![row] = false
        }
        switch (domain, vector.data) {
        case (.double, .ints(let values)):
            return (values.map { Int64(bitPattern: Double($0).bitPattern) }, ok)
        case (.double, .doubles(let values)):
            var out = [Int64](repeating: 0, count: values.count)
            for (row, value) in values.enumerated() {
                if value.isNaN { invalidate(row); continue }
                out[row] = Int64(bitPattern: (value == 0 ? 0.0 : value).bitPattern)
            }
            return (out, ok)
        case (_, .ints(let values)):
            return (values, ok)
        case (.text, .strings(let texts)):
            var out = [Int64](repeating: 0, count: texts.count)
            for (row, text) in texts.enumerated() where ok?[row] != false {
                if adding {
                    out[row] = pools.strings.id(for: text)
                } else if let id = pools.strings.existingID(for: text) {
                    out[row] = id
                } else {
                    invalidate(row)
                }
            }
            return (out, ok)
        default:
            // Anything else goes through scalars: rare shapes (arrays, mixed values).
            let values = vector.values(type: bound.type, form: bound.form, pools: pools)
            var out = [Int64](repeating: 0, count: values.count)
            for (row, value) in values.enumerated() {
                switch (domain, value) {
                case (_, .null): invalidate(row)
                case (.integer, .int(let v)): out[row] = v
                case (.address, .address(let a)): out[row] = adding ? pools.addresses.code(for: a) : (pools.addresses.existingCode(for: a) ?? { invalidate(row); return 0 }())
                case (.text, .string(let s)): out[row] = adding ? pools.strings.id(for: s) : (pools.strings.existingID(for: s) ?? { invalidate(row); return 0 }())
                case (.double, _) where value.double != nil: out[row] = Int64(bitPattern: value.double!.bitPattern)
                default: invalidate(row)
                }
            }
            return (out, ok)
        }
    }

    /// A hash of row `row`'s key values.
    @inline(__always)
    static func hash(_ keys: [[Int64]], _ row: Int) -> Int64 {
        if keys.count == 1 { return keys[0][row] }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        for column in keys {
            h = (h ^ UInt64(bitPattern: column[row])) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        return Int64(bitPattern: h)
    }

    /// Whether two rows' keys are equal.
    @inline(__always)
    static func equal(_ a: [[Int64]], _ i: Int, _ b: [[Int64]], _ j: Int) -> Bool {
        for column in a.indices where a[column][i] != b[column][j] { return false }
        return true
    }
}

/// An open-addressing table from a 64-bit key hash to the first build row with it: a
/// multiply-shift hash and linear probing over (key, row) pairs kept side by side, so a lookup
/// touches one cache line; several times cheaper per lookup than a `Dictionary`, which matters
/// at one lookup per flow row.
struct JoinHashIndex: Sendable {
    /// One slot: a key and its first row (-1: empty).
    struct Entry: Sendable {
        var key: Int64
        var row: Int32
    }

    private var entries: [Entry]
    private let shift: UInt64
    private let mask: Int

    /// An index for up to `capacity` distinct keys (kept at most two-thirds full).
    init(capacity: Int) {
        var size = 16
        while size * 2 < capacity * 3 { size <<= 1 }
        entries = [Entry](repeating: Entry(key: 0, row: -1), count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: Int64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) &>> shift)
    }

    /// Makes `row` the first row of `key`; returns the row that was first before (-1: none).
    mutating func insert(_ key: Int64, row: Int32) -> Int32 {
        var index = Self.slot(key, shift)
        while entries[index].row >= 0 {
            if entries[index].key == key {
                let previous = entries[index].row
                entries[index].row = row
                return previous
            }
            index = (index + 1) & mask
        }
        entries[index] = Entry(key: key, row: row)
        return -1
    }

    /// The first row of each key of `keys` into `out` (left as it is where none); returns how
    /// many keys have one.
    ///
    /// A batch holds few distinct keys many times over (an address column of a segment: a few
    /// thousand values in tens of thousands of rows), so a small direct-mapped memo of answers,
    /// which stays in the L1 cache, answers most rows before the table, which does not.
    func firstRows(_ keys: UnsafeBufferPointer<Int64>, into out: UnsafeMutableBufferPointer<Int32>) -> Int {
        var found = 0
        let shift = self.shift, mask = self.mask
        let memoBits = 10
        // Slot key, and its answer + 1 (0: nothing memoised in the slot; the key is then 0 too).
        var memoKeys = [Int64](repeating: 0, count: 1 << memoBits)
        var memoRows = [Int32](repeating: 0, count: 1 << memoBits)
        memoKeys.withUnsafeMutableBufferPointer { memoKey in
            memoRows.withUnsafeMutableBufferPointer { memoRow in
                entries.withUnsafeBufferPointer { table in
                    for index in 0..<keys.count {
                        let key = keys[index]
                        let hash = UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15
                        let memo = Int(truncatingIfNeeded: hash &>> UInt64(64 - memoBits))
                        var answer: Int32
                        if memoRow[memo] != 0 && memoKey[memo] == key {
                            answer = memoRow[memo] - 1
                        } else {
                            answer = -1
                            var slot = Int(truncatingIfNeeded: hash &>> shift)
                            while true {
                                let entry = table[slot]
                                if entry.row < 0 { break }
                                if entry.key == key {
                                    answer = entry.row
                                    break
                                }
                                slot = (slot + 1) & mask
                            }
                            memoKey[memo] = key
                            memoRow[memo] = answer + 1
                        }
                        if answer >= 0 {
                            out[index] = answer
                            found += 1
                        }
                    }
                }
            }
        }
        return found
    }

    /// The first row of `key` (-1: none).
    @inline(__always)
    func first(_ key: Int64) -> Int32 {
        var index = Self.slot(key, shift)
        while true {
            let entry = entries[index]
            if entry.row < 0 || entry.key == key { return entry.row }
            index = (index + 1) & mask
        }
    }
}
