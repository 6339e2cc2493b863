import FlowModel
import FlowStore

/// Decides, from the WHERE clause and the catalog alone, which day partitions can hold rows a
/// query wants, so that a one-day question never opens another day.
///
/// Each condition is judged per partition as matching none, some or all of its rows: exactly
/// for `date`, `day` and `date_partition` (constant within a partition), and from the
/// partition's recorded `start`/`end` ranges for those columns. NOT, AND and OR combine the
/// judgements; anything else counts as "some", so pruning never drops a row.
struct PartitionPruner {
    /// How much of a partition a condition can match.
    enum Coverage: Equatable {
        case noRows, someRows, allRows

        var negated: Coverage { self == .noRows ? .allRows : self == .allRows ? .noRows : .someRows }
    }

    /// Folds constant expressions (`current_date - interval '7' day`) to bound constants.
    let fold: (Expression) -> Bound?

    /// The coverage of `condition` on `partition`, with the condition that excluded it.
    func coverage(of condition: Expression, on partition: PartitionInfo) -> (Coverage, because: Expression?) {
        switch condition {
        case .binary(.and, let l, let r, _):
            let (a, why) = coverage(of: l, on: partition)
            if a == .noRows { return (.noRows, why) }
            let (b, why2) = coverage(of: r, on: partition)
            if b == .noRows { return (.noRows, why2) }
            return (a == .allRows && b == .allRows ? .allRows : .someRows, nil)
        case .binary(.or, let l, let r, _):
            let (a, _) = coverage(of: l, on: partition)
            let (b, _) = coverage(of: r, on: partition)
            if a == .allRows || b == .allRows { return (.allRows, nil) }
            if a == .noRows && b == .noRows { return (.noRows, condition) }
            return (.someRows, nil)
        case .unary(.not, let e, _):
            let (a, _) = coverage(of: e, on: partition)
            return (a.negated, a == .allRows ? condition : nil)
        case .binary(let op, let l, let r, _) where op.isComparison:
            let result = compare(l, op, r, partition) ?? compare(r, op.flipped, l, partition) ?? .someRows
            return (result, result == .noRows ? condition : nil)
        case .between(let v, let lo, let hi, let negated, let at):
            let both = Expression.binary(.and, .binary(.greaterOrEqual, v, lo, at: at), .binary(.lessOrEqual, v, hi, at: at), at: at)
            let (a, _) = coverage(of: both, on: partition)
            let result = negated ? a.negated : a
            return (result, result == .noRows ? condition : nil)
        case .inList(let v, let items, let negated, let at):
            guard !items.isEmpty else { return (.someRows, nil) }
            // An OR over the items, judged one by one (a nested OR tree of a long list would
            // recurse once per item).
            var a = Coverage.noRows
            for item in items {
                let (c, _) = coverage(of: .binary(.equal, v, item, at: at), on: partition)
                if c == .allRows { a = .allRows; break }
                if c == .someRows { a = .someRows }
            }
            let result = negated ? a.negated : a
            return (result, result == .noRows ? condition : nil)
        default:
            return (.someRows, nil)
        }
    }

    /// `column op constant` for a partition column, `start` or `end`; nil when not of that form.
    private func compare(_ column: Expression, _ op: BinaryOperator, _ value: Expression, _ partition: PartitionInfo) -> Coverage? {
        guard let name = Self.prunableColumn(column), let folded = fold(value), let constant = folded.constant else { return nil }
        switch name {
        case "date", "day", "date_partition":
            let day: PartitionDay?
            switch (constant, folded.type) {
            case (.int(let d), .date): day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: d))
            case (.string(let s), _): day = PartitionDay(s)
            case (.int(let ms), .timestamp) where name == "date": day = PartitionDay(unixSeconds: Timestamps.floorDivide(ms, 1000).0)
            default: day = nil
            }
            guard let day else { return nil }
            return Self.holds(partition.day.dayNumber, op, day.dayNumber) ? .allRows : .noRows
        case "start", "end", "from_unixtime(start)", "from_unixtime(end)":
            let seconds: Double
            switch (constant, folded.type) {
            case (.int(let v), .integer): seconds = Double(v)
            case (.double(let v), _): seconds = v
            case (.int(let ms), .timestamp): seconds = Double(ms) / 1000
            case (.int(let d), .date): seconds = Double(d * 86_400)
            default: return nil
            }
            let range = name.contains("start") ? partition.startRange : partition.endRange
            guard let range else { return .someRows }
            // `end` may be NULL in some rows, where no comparison holds: only `start` can prove
            // a condition true for every row, and only where every row has one (formats
            // without `start` are placed by `end` or their delivery date).
            let exact = name.contains("start") && partition.rowsWithoutStart == 0
            let lo = Double(range.lowerBound), hi = Double(range.upperBound)
            let allHold = Self.holds(lo, op, seconds) && Self.holds(hi, op, seconds) && op != .notEqual && op != .equal
            if exact && (allHold || (op == .equal && lo == hi && lo == seconds)) { return .allRows }
            switch op {
            case .equal: return seconds < lo || seconds > hi ? .noRows : .someRows
            case .less: return lo < seconds ? .someRows : .noRows
            case .lessOrEqual: return lo <= seconds ? .someRows : .noRows
            case .greater: return hi > seconds ? .someRows : .noRows
            case .greaterOrEqual: return hi >= seconds ? .someRows : .noRows
            default: return .someRows
            }
        default:
            return nil
        }
    }

    private static func holds<T: Comparable>(_ a: T, _ op: BinaryOperator, _ b: T) -> Bool {
        switch op {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessOrEqual: return a <= b
        case .greater: return a > b
        case .greaterOrEqual: return a >= b
        default: return true
        }
    }

    /// The prunable column an expression names: `date`, `day`, `date_partition`, `start`,
    /// `end`, or `from_unixtime(start|end)`.
    private static func prunableColumn(_ e: Expression) -> String? {
        switch e {
        case .column(let name, _, _, _):
            let lowered = name.lowercased()
            return ["date", "day", "date_partition", "start", "end"].contains(lowered) ? lowered : nil
        case .function("from_unixtime", let args, false, false, _) where args.count == 1:
            if case .column(let name, _, _, _) = args[0], ["start", "end"].contains(name.lowercased()) {
                return "from_unixtime(\(name.lowercased()))"
            }
            return nil
        default:
            return nil
        }
    }
}

extension BinaryOperator {
    /// The operator with its sides swapped (`a < b` is `b > a`).
    package var flipped: BinaryOperator {
        switch self {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return self
        }
    }
}
