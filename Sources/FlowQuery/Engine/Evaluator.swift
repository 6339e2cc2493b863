import FlowModel

/// What an expression is evaluated over: the rows of a batch (a selection of a segment's
/// rows, or the groups of an aggregate), with their columns on demand.
///
/// Columns are decoded late: a batch narrowed by a filter decodes the other columns only at
/// the rows that passed (`decode(name, positions)` with positions in the segment), unless its
/// parent already holds them, in which case they are gathered.
final class EvaluationContext {
    let pools: Pools
    /// The partition's day, for `date` and `day` (nil after aggregation).
    let day: PartitionDay?
    /// Rows in the batch.
    let count: Int
    /// Decodes a stored column at positions of the segment (nil: every row).
    private let decode: (String, [Int32]?) throws -> Vector?
    /// This batch's rows as positions in the segment (nil: all of them, in order).
    private let segmentPositions: [Int32]?
    /// The batch this one narrows, and its rows in it.
    private let parent: EvaluationContext?
    private let parentPositions: [Int32]?
    private var columns: [String: Vector] = [:]
    /// After aggregation: the groups' keys and aggregate results.
    let keys: [Vector]
    let aggregates: [Vector]

    init(pools: Pools, day: PartitionDay?, count: Int, keys: [Vector] = [], aggregates: [Vector] = [],
         decode: @escaping (String, [Int32]?) throws -> Vector?) {
        self.pools = pools
        self.day = day
        self.count = count
        self.keys = keys
        self.aggregates = aggregates
        self.decode = decode
        segmentPositions = nil
        parent = nil
        parentPositions = nil
    }

    private init(narrowing parent: EvaluationContext, to positions: [Int32]) {
        pools = parent.pools
        day = parent.day
        count = positions.count
        keys = parent.keys.map { $0.gathered(positions) }
        aggregates = parent.aggregates.map { $0.gathered(positions) }
        decode = parent.decode
        segmentPositions = parent.segmentPositions.map { outer in positions.map { outer[Int($0)] } } ?? positions
        self.parent = parent
        parentPositions = positions
    }

    /// The values of stored column `name` for this batch's rows (nil when the segment lacks it).
    func values(of name: String) throws -> Vector? {
        if let known = columns[name] { return known }
        let found: Vector?
        if let parent, let parentPositions, let held = parent.held(name) {
            found = held.gathered(parentPositions)
        } else {
            found = try decode(name, segmentPositions)
        }
        if let found { columns[name] = found }
        return found
    }

    /// A column this batch or one it narrows has decoded already.
    private func held(_ name: String) -> Vector? {
        if let known = columns[name] { return known }
        guard let parent, let parentPositions, let above = parent.held(name) else { return nil }
        let gathered = above.gathered(parentPositions)
        columns[name] = gathered
        return gathered
    }

    /// Puts a column's values for this batch's rows (a joined table's), for this batch and
    /// those that narrow it.
    func set(_ name: String, _ vector: Vector) {
        columns[name] = vector
    }

    /// The same batch narrowed to `positions` (the rows a filter, a CASE branch or an AND keeps).
    func restricted(to positions: [Int32]) throws -> EvaluationContext {
        EvaluationContext(narrowing: self, to: positions)
    }
}

/// Evaluates bound expressions over batches: a loop per operator over a vector of values,
/// with fast paths for what everyday questions do (comparisons with constants, logic, integer
/// arithmetic, time truncation, CIDR tests) and `ScalarEvaluator` for everything else.
enum Evaluator {
    static func evaluate(_ bound: Bound, _ context: EvaluationContext) throws -> Vector {
        let count = context.count
        let pools = context.pools
        switch bound.node {
        case .constant:
            return .broadcast(bound.constant ?? .null, count: count, type: bound.type, form: bound.form, pools: pools)
        case .column(let name):
            if let values = try context.values(of: name) { return values }
            return .broadcast(.null, count: count, type: bound.type, form: bound.form, pools: pools)
        case .partitionDate:
            guard let day = context.day else { throw QueryError(.execution, "internal: the partition day after aggregation") }
            return .ints([Int64](repeating: Int64(day.dayNumber), count: count))
        case .partitionSlashed:
            guard let day = context.day else { throw QueryError(.execution, "internal: the partition day after aggregation") }
            return .strings([String](repeating: day.slashedText, count: count))
        case .groupKey(let index):
            return context.keys[index]
        case .aggregate(let index):
            return context.aggregates[index]
        case .caseWhen(let branches, let otherwise):
            return try caseWhen(branches, otherwise, bound, context)
        case .function(let function, let arguments):
            return try call(function, arguments, bound, context)
        }
    }

    /// The rows where a boolean vector is true.
    static func trueRows(_ vector: Vector) -> [Int32] {
        guard case .ints(let values) = vector.data else { return [] }
        var rows: [Int32] = []
        rows.reserveCapacity(values.count)
        values.withUnsafeBufferPointer { v in
            if let nulls = vector.nulls {
                for index in 0..<v.count where v[index] != 0 && !nulls[index] { rows.append(Int32(index)) }
            } else {
                for index in 0..<v.count where v[index] != 0 { rows.append(Int32(index)) }
            }
        }
        return rows
    }

    // MARK: CASE and logic, evaluated lazily per row as Trino does

    private static func caseWhen(_ branches: [(condition: Bound, result: Bound)], _ otherwise: Bound?, _ bound: Bound, _ context: EvaluationContext) throws -> Vector {
        let count = context.count
        var chosen = [Int](repeating: -1, count: count)
        var undecided = (0..<count).map { Int32($0) }
        for (index, branch) in branches.enumerated() where !undecided.isEmpty {
            let sub = try context.restricted(to: undecided)
            let condition = try evaluate(branch.condition, sub)
            var still: [Int32] = []
            for (position, row) in undecided.enumerated() {
                if condition.isNull(position) || condition.intValues?[position] == 0 { still.append(row) } else { chosen[Int(row)] = index }
            }
            undecided = still
        }
        var results = [Value](repeating: .null, count: count)
        for (index, branch) in branches.enumerated() {
            let rows = (0..<count).filter { chosen[$0] == index }.map { Int32($0) }
            guard !rows.isEmpty else { continue }
            let values = try evaluate(branch.result, try context.restricted(to: rows)).values(type: branch.result.type, form: branch.result.form, pools: context.pools)
            for (position, row) in rows.enumerated() { results[Int(row)] = values[position] }
        }
        if let otherwise, !undecided.isEmpty {
            let values = try evaluate(otherwise, try context.restricted(to: undecided)).values(type: otherwise.type, form: otherwise.form, pools: context.pools)
            for (position, row) in undecided.enumerated() { results[Int(row)] = values[position] }
        }
        return .from(results, type: bound.type, form: bound.form, pools: context.pools)
    }

    /// AND / OR: the right side is evaluated only on rows the left side leaves open.
    private static func logic(_ isAnd: Bool, _ arguments: [Bound], _ context: EvaluationContext) throws -> Vector {
        let count = context.count
        var result = [Int64](repeating: isAnd ? 1 : 0, count: count)
        var nulls = [Bool](repeating: false, count: count)
        var open = (0..<count).map { Int32($0) }
        for argument in arguments where !open.isEmpty {
            let sub = open.count == count ? context : try context.restricted(to: open)
            let values = try evaluate(argument, sub)
            let ints = values.intValues ?? [Int64](repeating: 0, count: open.count)
            var still: [Int32] = []
            still.reserveCapacity(open.count)
            for (position, row) in open.enumerated() {
                let r = Int(row)
                if values.isNull(position) { nulls[r] = true; still.append(row); continue }
                let truth = ints[position] != 0
                if truth != isAnd {
                    // Decided: false for AND, true for OR.
                    result[r] = isAnd ? 0 : 1
                    nulls[r] = false
                } else {
                    still.append(row)
                }
            }
            open = still
        }
        let anyNull = nulls.contains(true)
        return .ints(result, nulls: anyNull ? nulls : nil)
    }

    // MARK: Functions

    private static func call(_ function: BoundFunction, _ arguments: [Bound], _ bound: Bound, _ context: EvaluationContext) throws -> Vector {
        switch function {
        case .and: return try logic(true, arguments, context)
        case .or: return try logic(false, arguments, context)
        default: break
        }
        var cached: [Vector?] = Array(repeating: nil, count: arguments.count)
        func input(_ index: Int) throws -> Vector {
            if let known = cached[index] { return known }
            let value = try evaluate(arguments[index], context)
            cached[index] = value
            return value
        }
        if let fast = try FastPaths.evaluate(function, arguments, input, bound, context) { return fast }
        let inputs = try arguments.indices.map { try input($0) }
        // The slow path: one scalar call per row.
        let count = context.count
        let pools = context.pools
        let columns = zip(inputs, arguments).map { vector, argument in vector.values(type: argument.type, form: argument.form, pools: pools) }
        let types = arguments.map(\.type)
        var results = [Value](repeating: .null, count: count)
        var row = [Value](repeating: .null, count: arguments.count)
        for index in 0..<count {
            for argument in 0..<arguments.count { row[argument] = columns[argument][index] }
            results[index] = try ScalarEvaluator.apply(function, row, types: types, resultType: bound.type)
        }
        return .from(results, type: bound.type, form: bound.form, pools: pools)
    }
}
