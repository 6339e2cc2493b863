
/// Hash aggregation: groups by the keys' integers (text ids, address codes, numbers) without
/// turning them into text, and keeps each aggregate's state per group. One aggregator per
/// worker thread; workers' aggregators merge at the end, exactly.
final class Aggregator {
    let plan: AggregatePlan
    let pools: Pools
    let table: GroupTable
    private let states: [AggregateState]
    /// Bytes of groups and states, for the memory budget.
    private var bytesEstimate = 0
    private let memoryLimit: Int

    init(plan: AggregatePlan, pools: Pools, memoryLimit: Int) {
        self.plan = plan
        self.pools = pools
        self.memoryLimit = memoryLimit
        table = GroupTable(keyColumns: plan.keys.count)
        states = plan.aggregates.map { Aggregator.makeState($0) }
        // Without GROUP BY there is one group, even over no rows.
        if plan.keys.isEmpty { _ = groups(for: [], count: 1) }
    }

    private static func makeState(_ spec: AggregateSpec) -> AggregateState {
        switch spec.kind {
        case .countStar, .count, .countIf: return CountState(spec.kind)
        case .sum: return SumState(isDouble: spec.type == .double)
        case .average: return AverageState(isDouble: spec.argument?.type == .double)
        case .minimum, .maximum: return ExtremeState(spec)
        case .countDistinct: return DistinctState(spec, counting: true)
        case .arrayAgg(let distinct): return distinct ? DistinctState(spec, counting: false) : ListState(spec)
        case .boolAnd, .boolOr: return BoolState(isAnd: spec.kind == .boolAnd)
        }
    }

    /// Groups the rows of a batch: evaluates keys and arguments, updates each state.
    func add(_ context: EvaluationContext) throws {
        let count = context.count
        guard count > 0 else { return }
        let keys = try plan.keys.map { try Evaluator.evaluate($0, context) }
        let groupOfRow = plan.keys.isEmpty ? [Int](repeating: 0, count: count) : groups(for: keys, count: count)
        for (index, spec) in plan.aggregates.enumerated() {
            let argument = try spec.argument.map { try Evaluator.evaluate($0, context) }
            try states[index].update(groups: groupOfRow, values: argument, pools: pools)
        }
        try checkMemory()
    }

    /// Each row's group, adding new groups.
    private func groups(for keys: [Vector], count: Int) -> [Int] {
        let width = plan.keys.count + 1
        // Lane-major: each key's integers, then the NULL flags.
        let lanes = UnsafeMutablePointer<Int64>.allocate(capacity: width * count)
        defer { lanes.deallocate() }
        (lanes + (width - 1) * count).initialize(repeating: 0, count: count)
        for (index, key) in keys.enumerated() {
            let lane = lanes + index * count
            switch key.data {
            case .ints(let v): v.withUnsafeBufferPointer { lane.initialize(from: $0.baseAddress!, count: count) }
            default: Self.lane(key, count: count, pools: pools).withUnsafeBufferPointer { lane.initialize(from: $0.baseAddress!, count: count) }
            }
            if let nulls = key.nulls {
                let flags = lanes + (width - 1) * count
                for row in 0..<count where nulls[row] {
                    flags[row] |= 1 << Int64(index)
                    lane[row] = 0
                }
            }
        }
        var groupOfRow = [Int](repeating: 0, count: count)
        groupOfRow.withUnsafeMutableBufferPointer { out in
            table.groups(lanes: UnsafePointer(lanes), rows: count, into: out.baseAddress!)
        }
        let grown = table.count
        for state in states { state.grow(to: grown) }
        bytesEstimate = table.byteCount + grown * states.count * 16
        return groupOfRow
    }

    /// A key's values as 64-bit lanes: integers as they are, doubles by their bits, text by its id.
    static func lane(_ key: Vector, count: Int, pools: Pools) -> [Int64] {
        switch key.data {
        case .ints(let v): return v
        case .doubles(let v): return v.map { Int64(bitPattern: ($0 == 0 ? 0 : $0).bitPattern) }
        case .strings(let v): return v.map { pools.strings.id(for: $0) }
        case .values(let v): return v.map { pools.strings.id(for: $0.output(.unknown).textValue ?? "\($0)") }
        }
    }

    private func checkMemory() throws {
        let total = bytesEstimate + states.reduce(0) { $0 + $1.extraBytes }
        if total > memoryLimit {
            let limit = memoryLimit >= 1 << 20 ? "\(memoryLimit >> 20) MB" : "\(max(1, memoryLimit >> 10)) KB"
            throw QueryError(.execution, "the query needs more than \(limit) for its \(table.count.formatted()) groups; "
                             + "narrow it (a shorter window, a filter, fewer GROUP BY keys) or raise the limit with --memory-limit")
        }
    }

    /// Adds another worker's groups and states into this one.
    func merge(_ other: Aggregator) throws {
        let width = plan.keys.count + 1
        var mapping = [Int](repeating: 0, count: other.table.count)
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: width) { buffer in
            let base = buffer.baseAddress!
            for group in 0..<other.table.count {
                for lane in 0..<width { base[lane] = other.table.key(group, lane: lane) }
                mapping[group] = table.group(UnsafePointer(base))
            }
        }
        _ = width
        for state in states { state.grow(to: table.count) }
        for (mine, theirs) in zip(states, other.states) { try mine.merge(theirs, mapping: mapping) }
        bytesEstimate = table.byteCount + table.count * states.count * 16
        try checkMemory()
    }

    /// The groups' keys and aggregate results, one value per group.
    func finish() -> (keys: [Vector], aggregates: [Vector]) {
        let groups = table.count
        var keys: [Vector] = []
        for (index, key) in plan.keys.enumerated() {
            var values = [Int64](repeating: 0, count: groups)
            var nulls: [Bool]? = nil
            for group in 0..<groups {
                values[group] = table.key(group, lane: index)
                if table.key(group, lane: plan.keys.count) & (1 << Int64(index)) != 0 {
                    if nulls == nil { nulls = [Bool](repeating: false, count: groups) }
                    nulls![group] = true
                }
            }
            if key.type == .double {
                keys.append(.doubles(values.map { Double(bitPattern: UInt64(bitPattern: $0)) }, nulls: nulls))
            } else {
                keys.append(.ints(values, nulls: nulls))
            }
        }
        let aggregates = zip(plan.aggregates, states).map { spec, state in state.result(groups: groups, spec: spec, pools: pools) }
        return (keys, aggregates)
    }
}

@available(*, unavailable)
extension Aggregator: Sendable {}

/// One aggregate's state for every group.
protocol AggregateState: AnyObject {
    func grow(to groups: Int)
    func update(groups: [Int], values: Vector?, pools: Pools) throws
    func merge(_ other: AggregateState, mapping: [Int]) throws
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector
    /// Memory beyond a fixed amount per group (distinct sets, lists).
    var extraBytes: Int { get }
}

extension AggregateState {
    var extraBytes: Int { 0 }
}

final class CountState: AggregateState {
    let kind: AggregateSpec.Kind
    var counts: [Int64] = []
    init(_ kind: AggregateSpec.Kind) { self.kind = kind }
    func grow(to groups: Int) { if counts.count < groups { counts += [Int64](repeating: 0, count: groups - counts.count) } }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        counts.withUnsafeMutableBufferPointer { c in
            groups.withUnsafeBufferPointer { g in
                switch kind {
                case .countStar:
                    for group in g { c[group] += 1 }
                case .countIf:
                    guard let values, let ints = values.intValues else { return }
                    for row in 0..<g.count where ints[row] != 0 && !values.isNull(row) { c[g[row]] += 1 }
                default:
                    guard let values else { return }
                    if let nulls = values.nulls {
                        for row in 0..<g.count where !nulls[row] { c[g[row]] += 1 }
                    } else {
                        for group in g { c[group] += 1 }
                    }
                }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? CountState else { return }
        for (theirs, mine) in mapping.enumerated() { counts[mine] += other.counts[theirs] }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector { .ints(Array(counts.prefix(groups))) }
}

final class SumState: AggregateState {
    let isDouble: Bool
    var ints: [Int64] = []
    var doubles: [Double] = []
    var seen: [Bool] = []
    init(isDouble: Bool) { self.isDouble = isDouble }
    func grow(to groups: Int) {
        guard seen.count < groups else { return }
        let extra = groups - seen.count
        seen += [Bool](repeating: false, count: extra)
        if isDouble { doubles += [Double](repeating: 0, count: extra) } else { ints += [Int64](repeating: 0, count: extra) }
    }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values else { return }
        switch values.data {
        case .ints(let v) where !isDouble:
            let nulls = values.nulls
            var overflowed = false
            ints.withUnsafeMutableBufferPointer { sums in
                seen.withUnsafeMutableBufferPointer { seen in
                    v.withUnsafeBufferPointer { v in
                        groups.withUnsafeBufferPointer { g in
                            for row in 0..<g.count where nulls?[row] != true {
                                let group = g[row]
                                let (sum, overflow) = sums[group].addingReportingOverflow(v[row])
                                if overflow { overflowed = true; return }
                                sums[group] = sum
                                seen[group] = true
                            }
                        }
                    }
                }
            }
            if overflowed { throw QueryError(.execution, "bigint addition overflow in sum(): the total passes 9223372036854775807") }
        case .ints(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) { doubles[group] += Double(v[row]); seen[group] = true }
        case .doubles(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) { doubles[group] += v[row]; seen[group] = true }
        default:
            break
        }
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? SumState else { return }
        for (theirs, mine) in mapping.enumerated() where other.seen[theirs] {
            if isDouble {
                doubles[mine] += other.doubles[theirs]
            } else {
                let (sum, overflow) = ints[mine].addingReportingOverflow(other.ints[theirs])
                if overflow { throw QueryError(.execution, "bigint addition overflow in sum(): the total passes 9223372036854775807") }
                ints[mine] = sum
            }
            seen[mine] = true
        }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        let nulls = seen.prefix(groups).map { !$0 }
        let anyNull = nulls.contains(true) ? Array(nulls) : nil
        return isDouble ? .doubles(Array(doubles.prefix(groups)), nulls: anyNull) : .ints(Array(ints.prefix(groups)), nulls: anyNull)
    }
}

/// An average: an exact integer sum (or a double one) and a count, merged as such.
final class AverageState: AggregateState {
    let isDouble: Bool
    var ints: [Int64] = []
    var doubles: [Double] = []
    /// Integer sums that overflowed continue as doubles.
    var overflowed: [Bool] = []
    var counts: [Int64] = []
    init(isDouble: Bool) { self.isDouble = isDouble }
    func grow(to groups: Int) {
        guard counts.count < groups else { return }
        let extra = groups - counts.count
        counts += [Int64](repeating: 0, count: extra)
        ints += [Int64](repeating: 0, count: extra)
        doubles += [Double](repeating: 0, count: extra)
        overflowed += [Bool](repeating: false, count: extra)
    }
    private func add(_ group: Int, _ value: Int64) {
        if !overflowed[group] {
            let (sum, overflow) = ints[group].addingReportingOverflow(value)
            if !overflow { ints[group] = sum; return }
            overflowed[group] = true
            doubles[group] += Double(ints[group])
            ints[group] = 0
        }
        doubles[group] += Double(value)
    }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values else { return }
        switch values.data {
        case .ints(let v) where !isDouble:
            for (row, group) in groups.enumerated() where !values.isNull(row) { add(group, v[row]); counts[group] += 1 }
        case .ints(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) { doubles[group] += Double(v[row]); counts[group] += 1 }
        case .doubles(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) { doubles[group] += v[row]; counts[group] += 1 }
        default:
            break
        }
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? AverageState else { return }
        for (theirs, mine) in mapping.enumerated() where other.counts[theirs] > 0 {
            counts[mine] += other.counts[theirs]
            doubles[mine] += other.doubles[theirs]
            if other.overflowed[theirs] && !overflowed[mine] {
                overflowed[mine] = true
                doubles[mine] += Double(ints[mine])
                ints[mine] = 0
            }
            if overflowed[mine] { doubles[mine] += Double(other.ints[theirs]) } else { add(mine, other.ints[theirs]) }
        }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        var out = [Double](repeating: 0, count: groups)
        var nulls = [Bool](repeating: false, count: groups)
        for group in 0..<groups {
            if counts[group] == 0 { nulls[group] = true; continue }
            let total = isDouble || overflowed[group] ? doubles[group] + Double(ints[group]) : Double(ints[group])
            out[group] = total / Double(counts[group])
        }
        return .doubles(out, nulls: nulls.contains(true) ? nulls : nil)
    }
}

/// min() and max(): numbers by value; text and addresses by their text, as Athena compares them.
final class ExtremeState: AggregateState {
    let isMax: Bool
    let byText: Bool
    let type: SQLType
    let form: Bound.Form
    var ints: [Int64] = []
    var doubles: [Double] = []
    var texts: [String] = []
    var seen: [Bool] = []
    init(_ spec: AggregateSpec) {
        isMax = spec.kind == .maximum
        type = spec.argument?.type ?? .unknown
        form = spec.argument?.form ?? .plain
        byText = type == .varchar || form == .address || type == .ipaddress
    }
    func grow(to groups: Int) {
        guard seen.count < groups else { return }
        let extra = groups - seen.count
        seen += [Bool](repeating: false, count: extra)
        ints += [Int64](repeating: 0, count: extra)
        doubles += [Double](repeating: 0, count: extra)
        if byText { texts += [String](repeating: "", count: extra) }
    }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values else { return }
        if byText {
            let strings = values.strings(type: type, form: form, pools: pools)
            let ids = values.intValues
            for (row, group) in groups.enumerated() where !values.isNull(row) {
                let text = strings[row]
                let order = seen[group] ? Value.bytewise(text, texts[group]) : 0
                if !seen[group] || (isMax ? order > 0 : order < 0) {
                    texts[group] = text
                    ints[group] = ids?[row] ?? 0
                    seen[group] = true
                }
            }
            return
        }
        switch values.data {
        case .ints(let v) where v.count >= groups.count:
            // The hot case (min(start), max("end")): raw buffers, no per-row NULL test when
            // the batch has no NULLs.
            let nulls = values.nulls
            let isMax = self.isMax
            ints.withUnsafeMutableBufferPointer { ints in
                seen.withUnsafeMutableBufferPointer { seen in
                    v.withUnsafeBufferPointer { v in
                        for (row, group) in groups.enumerated() {
                            if let nulls, nulls[row] { continue }
                            let value = v[row]
                            if !seen[group] || (isMax ? value > ints[group] : value < ints[group]) { ints[group] = value; seen[group] = true }
                        }
                    }
                }
            }
        case .ints(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) {
                if !seen[group] || (isMax ? v[row] > ints[group] : v[row] < ints[group]) { ints[group] = v[row]; seen[group] = true }
            }
        case .doubles(let v):
            for (row, group) in groups.enumerated() where !values.isNull(row) {
                if !seen[group] || (isMax ? v[row] > doubles[group] : v[row] < doubles[group]) { doubles[group] = v[row]; seen[group] = true }
            }
        default:
            let all = values.values(type: type, form: form, pools: pools)
            for (row, group) in groups.enumerated() where !all[row].isNull {
                let order = seen[group] ? Value.compare(all[row], .string(texts[group])) : 0
                if !seen[group] || (isMax ? order > 0 : order < 0) { texts[group] = all[row].string ?? ""; seen[group] = true }
            }
        }
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? ExtremeState else { return }
        for (theirs, mine) in mapping.enumerated() where other.seen[theirs] {
            let better: Bool
            if !seen[mine] {
                better = true
            } else if byText {
                let order = Value.bytewise(other.texts[theirs], texts[mine])
                better = isMax ? order > 0 : order < 0
            } else if type == .double {
                better = isMax ? other.doubles[theirs] > doubles[mine] : other.doubles[theirs] < doubles[mine]
            } else {
                better = isMax ? other.ints[theirs] > ints[mine] : other.ints[theirs] < ints[mine]
            }
            guard better else { continue }
            ints[mine] = other.ints[theirs]
            doubles[mine] = other.doubles[theirs]
            if byText { texts[mine] = other.texts[theirs] }
            seen[mine] = true
        }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        let nulls = seen.prefix(groups).map { !$0 }
        let anyNull = nulls.contains(true) ? Array(nulls) : nil
        if byText && form != .address && type != .varchar { return .strings(Array(texts.prefix(groups)), nulls: anyNull) }
        if type == .double { return .doubles(Array(doubles.prefix(groups)), nulls: anyNull) }
        return .ints(Array(ints.prefix(groups)), nulls: anyNull)
    }
}

/// count(DISTINCT x) and array_agg(DISTINCT x): the set of values per group, as lanes.
final class DistinctState: AggregateState {
    let counting: Bool
    let type: SQLType
    let form: Bound.Form
    let pairs = DistinctPairs()
    var sawNull: [Bool] = []
    var sawRow: [Bool] = []
    init(_ spec: AggregateSpec, counting: Bool) {
        self.counting = counting
        type = spec.argument?.type ?? .unknown
        form = spec.argument?.form ?? .plain
    }
    var extraBytes: Int { pairs.byteCount }
    func grow(to groups: Int) {
        guard sawRow.count < groups else { return }
        let extra = groups - sawRow.count
        sawNull += [Bool](repeating: false, count: extra)
        sawRow += [Bool](repeating: false, count: extra)
    }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values else { return }
        let lanes = Aggregator.lane(values, count: values.count, pools: pools)
        let pairs = self.pairs
        sawRow.withUnsafeMutableBufferPointer { sawRow in
            if values.nulls == nil {
                lanes.withUnsafeBufferPointer { lanes in
                    for (row, group) in groups.enumerated() {
                        sawRow[group] = true
                        pairs.insert(group: group, value: lanes[row])
                    }
                }
                return
            }
            for (row, group) in groups.enumerated() {
                sawRow[group] = true
                if values.isNull(row) { sawNull[group] = true; continue }
                pairs.insert(group: group, value: lanes[row])
            }
        }
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? DistinctState else { return }
        other.pairs.forEach { theirs, value in pairs.insert(group: mapping[theirs], value: value) }
        for (theirs, mine) in mapping.enumerated() {
            sawNull[mine] = sawNull[mine] || other.sawNull[theirs]
            sawRow[mine] = sawRow[mine] || other.sawRow[theirs]
        }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        if counting { return .ints(pairs.counts(groups: groups)) }
        var members = [[Int64]](repeating: [], count: groups)
        pairs.forEach { group, value in if group < groups { members[group].append(value) } }
        var out: [Value] = []
        var nulls = [Bool](repeating: false, count: groups)
        for group in 0..<groups {
            // Trino's array_agg over no rows is NULL; NULL itself is an element.
            guard sawRow[group] else { out.append(.null); nulls[group] = true; continue }
            var elements = members[group].map { Self.decode($0, type: type, form: form, pools: pools) }
            elements.sort { Value.compare($0, $1) < 0 }
            if sawNull[group] { elements.insert(.null, at: 0) }
            out.append(.array(elements))
        }
        return Vector(.values(out), nulls: nulls.contains(true) ? nulls : nil, count: groups)
    }

    /// A lane back into a value.
    static func decode(_ lane: Int64, type: SQLType, form: Bound.Form, pools: Pools) -> Value {
        if form == .address { return .string(pools.addresses.address(lane).text) }
        switch type {
        case .varchar, .unknown: return .string(pools.strings.string(lane))
        case .double: return .double(Double(bitPattern: UInt64(bitPattern: lane)))
        default: return .int(lane)
        }
    }
}

/// array_agg(x): every value, NULLs too, listed in value order.
final class ListState: AggregateState {
    let type: SQLType
    let form: Bound.Form
    var lists: [[Int64?]] = []
    private var members = 0
    init(_ spec: AggregateSpec) {
        type = spec.argument?.type ?? .unknown
        form = spec.argument?.form ?? .plain
    }
    var extraBytes: Int { members * 16 }
    func grow(to groups: Int) { if lists.count < groups { lists += [[Int64?]](repeating: [], count: groups - lists.count) } }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values else { return }
        let lanes = Aggregator.lane(values, count: values.count, pools: pools)
        for (row, group) in groups.enumerated() { lists[group].append(values.isNull(row) ? nil : lanes[row]) }
        members += groups.count
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? ListState else { return }
        for (theirs, mine) in mapping.enumerated() { lists[mine] += other.lists[theirs] }
        members += other.members
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        var out: [Value] = []
        var nulls = [Bool](repeating: false, count: groups)
        for group in 0..<groups {
            guard !lists[group].isEmpty else { out.append(.null); nulls[group] = true; continue }
            var elements = lists[group].map { $0.map { DistinctState.decode($0, type: type, form: form, pools: pools) } ?? .null }
            elements.sort { Value.compare($0, $1) < 0 }
            out.append(.array(elements))
        }
        return Vector(.values(out), nulls: nulls.contains(true) ? nulls : nil, count: groups)
    }
}

final class BoolState: AggregateState {
    let isAnd: Bool
    /// -1: no value yet; 0 false; 1 true.
    var states: [Int8] = []
    init(isAnd: Bool) { self.isAnd = isAnd }
    func grow(to groups: Int) { if states.count < groups { states += [Int8](repeating: -1, count: groups - states.count) } }
    func update(groups: [Int], values: Vector?, pools: Pools) throws {
        guard let values, let ints = values.intValues else { return }
        for (row, group) in groups.enumerated() where !values.isNull(row) { combine(group, ints[row] != 0 ? 1 : 0) }
    }
    private func combine(_ group: Int, _ value: Int8) {
        if states[group] < 0 { states[group] = value; return }
        states[group] = isAnd ? min(states[group], value) : max(states[group], value)
    }
    func merge(_ other: AggregateState, mapping: [Int]) throws {
        guard let other = other as? BoolState else { return }
        for (theirs, mine) in mapping.enumerated() where other.states[theirs] >= 0 { combine(mine, other.states[theirs]) }
    }
    func result(groups: Int, spec: AggregateSpec, pools: Pools) -> Vector {
        let slice = states.prefix(groups)
        let nulls = slice.map { $0 < 0 }
        return .ints(slice.map { Int64(max($0, 0)) }, nulls: nulls.contains(true) ? nulls : nil)
    }
}
