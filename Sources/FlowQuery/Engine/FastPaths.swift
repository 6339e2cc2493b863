import Foundation

/// Tight loops for the operators everyday questions spend their time in. Each returns nil
/// when its case does not apply, and the evaluator computes row by row instead.
enum FastPaths {
    static func evaluate(_ function: BoundFunction, _ arguments: [Bound], _ input: (Int) throws -> Vector,
                         _ bound: Bound, _ context: EvaluationContext) throws -> Vector? {
        let pools = context.pools
        switch function {
        case .compare(let op):
            return try compare(op, arguments, input, pools)
        case .not:
            let v = try input(0)
            guard let ints = v.intValues else { return nil }
            return .ints(ints.map { $0 == 0 ? 1 : 0 }, nulls: v.nulls)
        case .isNull, .isNotNull:
            let v = try input(0)
            let wantNull: Int64 = { if case .isNull = function { return 1 } else { return 0 } }()
            guard let nulls = v.nulls else { return .ints([Int64](repeating: 1 - wantNull, count: v.count)) }
            return .ints(nulls.map { $0 ? wantNull : 1 - wantNull })
        case .inList(let items, let negated):
            return try inList(items, negated, arguments[0], input, pools)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(function, arguments, input, bound)
        case .fromUnixtime:
            let v = try input(0)
            guard let seconds = v.intValues else { return nil }
            var out = [Int64](repeating: 0, count: seconds.count)
            for index in 0..<seconds.count {
                let (ms, overflow) = seconds[index].multipliedReportingOverflow(by: 1000)
                if overflow && !v.isNull(index) { throw ScalarEvaluator.failure("from_unixtime(\(seconds[index])) is out of range") }
                out[index] = ms
            }
            return .ints(out, nulls: v.nulls)
        case .dateTrunc(let unit):
            let v = try input(0)
            guard let values = v.intValues else { return nil }
            let isDate = arguments[0].type == .date
            let step: Int64? = isDate ? nil : [TruncationUnit.second: 1000, .minute: 60_000, .hour: 3_600_000, .day: 86_400_000][unit]
            if let step {
                return .ints(values.map { $0 >= 0 ? $0 - $0 % step : Timestamps.floorDivide($0, step).0 * step }, nulls: v.nulls)
            }
            return .ints(values.map { isDate ? CalendarMath.truncate(days: $0, unit) : CalendarMath.truncate(milliseconds: $0, unit) }, nulls: v.nulls)
        case .timestampToDate:
            let v = try input(0)
            guard let values = v.intValues else { return nil }
            return .ints(values.map { Timestamps.floorDivide($0, 86_400_000).0 }, nulls: v.nulls)
        case .dateToTimestamp:
            let v = try input(0)
            guard let values = v.intValues else { return nil }
            return .ints(values.map { $0 &* 86_400_000 }, nulls: v.nulls)
        case .cidrContains(let block):
            let v = try input(0)
            guard let codes = v.intValues else { return nil }
            let range = block.ipv4Range.map { Int64($0.lowerBound)...Int64($0.upperBound) }
            var out = [Int64](repeating: 0, count: codes.count)
            for index in 0..<codes.count {
                let code = codes[index]
                if code < AddressPool.ipv6Base {
                    if let range, range.contains(code) { out[index] = 1 }
                } else if !v.isNull(index) {
                    out[index] = ScalarEvaluator.contains(block, pools.addresses.address(code)) ? 1 : 0
                }
            }
            return .ints(out, nulls: v.nulls)
        default:
            return nil
        }
    }

    // MARK: Comparisons

    private enum Domain { case integers, doubles, textEquality, none }

    private static func domain(_ l: Bound, _ r: Bound, _ op: Comparison) -> Domain {
        let equality = op == .equal || op == .notEqual
        if l.form == .address || r.form == .address { return l.form == r.form && equality ? .integers : .none }
        switch (l.type, r.type) {
        case (.varchar, .varchar), (.varchar, .unknown), (.unknown, .varchar): return equality ? .textEquality : .none
        case (.double, _), (_, .double): return .doubles
        case (.integer, .integer), (.date, .date), (.timestamp, .timestamp), (.boolean, .boolean): return .integers
        default: return .none
        }
    }

    private static func compare(_ op: Comparison, _ arguments: [Bound], _ input: (Int) throws -> Vector, _ pools: Pools) throws -> Vector? {
        let l = arguments[0], r = arguments[1]
        switch domain(l, r, op) {
        case .none:
            return nil
        case .integers:
            let a = try input(0)
            guard let x = a.intValues else { return nil }
            let nulls = a.nulls
            if case .constant = r.node, let constant = r.constant {
                if constant.isNull { return .ints([Int64](repeating: 0, count: a.count), nulls: [Bool](repeating: true, count: a.count)) }
                let c: Int64
                if case .address(let address) = constant { c = pools.addresses.code(for: address) } else if let v = constant.int { c = v } else { return nil }
                return .ints(compareInts(x, c, op), nulls: nulls)
            }
            let b = try input(1)
            guard let y = b.intValues else { return nil }
            var out = [Int64](repeating: 0, count: x.count)
            for index in 0..<x.count { out[index] = op.holds(x[index] < y[index] ? -1 : x[index] > y[index] ? 1 : 0) ? 1 : 0 }
            return .ints(out, nulls: merge(nulls, b.nulls))
        case .doubles:
            let a = try input(0), b = try input(1)
            guard let x = doubles(a), let y = doubles(b) else { return nil }
            var out = [Int64](repeating: 0, count: x.count)
            for index in 0..<x.count { out[index] = op.holds(x[index] < y[index] ? -1 : x[index] > y[index] ? 1 : 0) && !x[index].isNaN && !y[index].isNaN ? 1 : 0 }
            return .ints(out, nulls: merge(a.nulls, b.nulls))
        case .textEquality:
            let a = try input(0)
            if case .constant = r.node, let constant = r.constant, case .ints(let ids) = a.data {
                guard case .string(let text) = constant else {
                    return .ints([Int64](repeating: 0, count: a.count), nulls: [Bool](repeating: true, count: a.count))
                }
                // Text no row of the query holds has no id: equal to nothing.
                let wanted = pools.strings.existingID(for: text) ?? -1
                var out = [Int64](repeating: 0, count: ids.count)
                let equal: Int64 = op == .equal ? 1 : 0
                for index in 0..<ids.count { out[index] = ids[index] == wanted ? equal : 1 - equal }
                return .ints(out, nulls: a.nulls)
            }
            let b = try input(1)
            if case .ints(let x) = a.data, case .ints(let y) = b.data {
                let equal: Int64 = op == .equal ? 1 : 0
                var out = [Int64](repeating: 0, count: x.count)
                for index in 0..<x.count { out[index] = x[index] == y[index] ? equal : 1 - equal }
                return .ints(out, nulls: merge(a.nulls, b.nulls))
            }
            let x = a.strings(type: .varchar, form: .plain, pools: pools), y = b.strings(type: .varchar, form: .plain, pools: pools)
            let equal: Int64 = op == .equal ? 1 : 0
            var out = [Int64](repeating: 0, count: x.count)
            for index in 0..<x.count { out[index] = x[index] == y[index] ? equal : 1 - equal }
            return .ints(out, nulls: merge(a.nulls, b.nulls))
        }
    }

    @inline(__always)
    private static func compareInts(_ x: [Int64], _ c: Int64, _ op: Comparison) -> [Int64] {
        var out = [Int64](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in
                switch op {
                case .equal: for i in 0..<v.count { o[i] = v[i] == c ? 1 : 0 }
                case .notEqual: for i in 0..<v.count { o[i] = v[i] != c ? 1 : 0 }
                case .less: for i in 0..<v.count { o[i] = v[i] < c ? 1 : 0 }
                case .lessOrEqual: for i in 0..<v.count { o[i] = v[i] <= c ? 1 : 0 }
                case .greater: for i in 0..<v.count { o[i] = v[i] > c ? 1 : 0 }
                case .greaterOrEqual: for i in 0..<v.count { o[i] = v[i] >= c ? 1 : 0 }
                }
            }
        }
        return out
    }

    static func merge(_ a: [Bool]?, _ b: [Bool]?) -> [Bool]? {
        guard let a else { return b }
        guard let b else { return a }
        return zip(a, b).map { $0 || $1 }
    }

    private static func doubles(_ v: Vector) -> [Double]? {
        switch v.data {
        case .doubles(let d): return d
        case .ints(let i): return i.map(Double.init)
        default: return nil
        }
    }

    // MARK: IN

    private static func inList(_ items: [Value], _ negated: Bool, _ argument: Bound, _ input: (Int) throws -> Vector, _ pools: Pools) throws -> Vector? {
        guard !items.contains(where: \.isNull) else { return nil }
        let v = try input(0)
        guard case .ints(let values) = v.data else { return nil }
        var set = Set<Int64>()
        if argument.form == .address {
            for item in items {
                guard case .address(let a) = item else { return nil }
                set.insert(pools.addresses.code(for: a))
            }
        } else if argument.type == .varchar {
            for item in items {
                guard case .string(let s) = item else { return nil }
                if let id = pools.strings.existingID(for: s) { set.insert(id) }
            }
        } else if [.integer, .date, .timestamp, .boolean].contains(argument.type) {
            for item in items {
                guard case .int(let i) = item else { return nil }
                set.insert(i)
            }
        } else {
            return nil
        }
        let hit: Int64 = negated ? 0 : 1
        return .ints(values.map { set.contains($0) ? hit : 1 - hit }, nulls: v.nulls)
    }

    // MARK: Arithmetic

    private static func arithmetic(_ function: BoundFunction, _ arguments: [Bound], _ input: (Int) throws -> Vector, _ bound: Bound) throws -> Vector? {
        let a = try input(0), b = try input(1)
        let nulls = merge(a.nulls, b.nulls)
        if bound.type == .integer, case .ints(let x) = a.data, case .ints(let y) = b.data {
            var out = [Int64](repeating: 0, count: x.count)
            for index in 0..<x.count where nulls?[index] != true {
                out[index] = try ScalarEvaluator.integer(function, x[index], y[index])
            }
            return .ints(out, nulls: nulls)
        }
        if bound.type == .double, let x = doubles(a), let y = doubles(b) {
            var out = [Double](repeating: 0, count: x.count)
            switch function {
            case .add: for i in 0..<x.count { out[i] = x[i] + y[i] }
            case .subtract: for i in 0..<x.count { out[i] = x[i] - y[i] }
            case .multiply: for i in 0..<x.count { out[i] = x[i] * y[i] }
            case .divide: for i in 0..<x.count { out[i] = x[i] / y[i] }
            default: for i in 0..<x.count { out[i] = fmod(x[i], y[i]) }
            }
            return .doubles(out, nulls: nulls)
        }
        return nil
    }
}
