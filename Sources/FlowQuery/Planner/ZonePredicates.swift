import FlowStore

/// Derives from WHERE the ranges a segment's zone map must overlap to hold matching rows:
/// `dstport = 443`, `start >= x`, `from_unixtime(start) < TIMESTAMP '...'`, `srcaddr IN (...)`,
/// `contains('10.0.0.0/8', cast(srcaddr AS IPADDRESS))`. Anything else reads every segment.
enum ZonePredicates {
    static func derive(_ conjuncts: [Bound], texts: [String]) -> [ZonePredicate] {
        var found: [ZonePredicate] = []
        for (conjunct, text) in zip(conjuncts, texts) {
            // BETWEEN binds to an AND of two comparisons: each side may bound the zone.
            for part in flattened(conjunct) {
                if let predicate = predicate(part, text: text) { found.append(predicate) }
            }
        }
        return found
    }

    /// The operands of nested ANDs.
    private static func flattened(_ b: Bound) -> [Bound] {
        guard case .function(.and, let arguments) = b.node else { return [b] }
        return arguments.flatMap(flattened)
    }

    private static func predicate(_ b: Bound, text: String) -> ZonePredicate? {
        guard case .function(let function, let arguments) = b.node else { return nil }
        switch function {
        case .compare(let op):
            if let (column, seconds) = timeColumn(arguments[0]), let constant = arguments[1].constant, case .int(let ms) = constant {
                _ = seconds
                return timeRange(column, op, ms, text)
            }
            if let (column, _) = timeColumn(arguments[1]), let constant = arguments[0].constant, case .int(let ms) = constant {
                return timeRange(column, op.flipped, ms, text)
            }
            if let column = integerColumn(arguments[0]), let c = code(arguments[1]) { return range(column, op, c, text) }
            if let column = integerColumn(arguments[1]), let c = code(arguments[0]) { return range(column, op.flipped, c, text) }
            return nil
        case .inList(let items, let negated):
            guard !negated, let column = integerColumn(arguments[0]) else { return nil }
            var codes: [Int64] = []
            for item in items {
                guard let c = code(Bound(.constant, type: arguments[0].type, form: arguments[0].form, constant: item)) else { return nil }
                codes.append(c)
            }
            guard let low = codes.min(), let high = codes.max() else { return nil }
            // The values themselves, so a segment between two of them is skipped too.
            return ZonePredicate(column: column, lower: low, upper: high, points: codes.count <= 1024 ? Array(Set(codes)).sorted() : nil, text: text)
        case .cidrContains(let block):
            guard case .column(let name) = arguments[0].node, let range = block.ipv4Range else { return nil }
            return ZonePredicate(column: name, lower: Int64(range.lowerBound), upper: Int64(range.upperBound), ipv4Only: true, text: text)
        default:
            return nil
        }
    }

    /// A stored column whose zone map is in the query's own integers: numbers, times, and
    /// addresses (whose IPv4 codes are the stored values).
    private static func integerColumn(_ b: Bound) -> String? {
        guard case .column(let name) = b.node else { return nil }
        if b.form == .address || b.type == .integer { return name }
        return nil
    }

    /// `from_unixtime(start)` (or `end`): the column, compared in milliseconds.
    private static func timeColumn(_ b: Bound) -> (String, Bool)? {
        guard case .function(.fromUnixtime, let arguments) = b.node, case .column(let name) = arguments[0].node,
              name == "start" || name == "end" else { return nil }
        return (name, true)
    }

    /// A constant as the stored integer it is compared with (IPv4 only for addresses).
    private static func code(_ b: Bound) -> Int64? {
        guard case .constant = b.node, let constant = b.constant else { return nil }
        switch constant {
        case .int(let v): return b.type == .integer ? v : nil
        case .address(.v4(let v)): return Int64(v)
        default: return nil
        }
    }

    private static func range(_ column: String, _ op: Comparison, _ c: Int64, _ text: String) -> ZonePredicate? {
        switch op {
        case .equal: return ZonePredicate(column: column, lower: c, upper: c, text: text)
        case .less: return c == .min ? nil : ZonePredicate(column: column, lower: nil, upper: c - 1, text: text)
        case .lessOrEqual: return ZonePredicate(column: column, lower: nil, upper: c, text: text)
        case .greater: return c == .max ? nil : ZonePredicate(column: column, lower: c + 1, upper: nil, text: text)
        case .greaterOrEqual: return ZonePredicate(column: column, lower: c, upper: nil, text: text)
        case .notEqual: return nil
        }
    }

    /// `from_unixtime(column) op ms`, as a range of the column's seconds.
    private static func timeRange(_ column: String, _ op: Comparison, _ ms: Int64, _ text: String) -> ZonePredicate? {
        let floor = Timestamps.floorDivide(ms, 1000).0
        let ceil = floor + (Timestamps.floorDivide(ms, 1000).1 == 0 ? 0 : 1)
        switch op {
        case .equal: return ZonePredicate(column: column, lower: ceil, upper: floor, text: text)
        case .less: return ZonePredicate(column: column, lower: nil, upper: ceil - 1, text: text)
        case .lessOrEqual: return ZonePredicate(column: column, lower: nil, upper: floor, text: text)
        case .greater: return ZonePredicate(column: column, lower: floor + 1, upper: nil, text: text)
        case .greaterOrEqual: return ZonePredicate(column: column, lower: ceil, upper: nil, text: text)
        case .notEqual: return nil
        }
    }

    /// True when a segment may hold rows that pass every predicate.
    static func mayMatch(_ predicates: [ZonePredicate], _ segment: PartitionReader.Segment, columns: [String: (id: Int, kind: PartitionSchema.Kind)]) -> Bool {
        for predicate in predicates {
            // A segment without the column reads NULL there: no comparison holds.
            guard let (id, _) = columns[predicate.column], let zone = segment.zones[id] else { return false }
            guard let low = zone.minimum, let high = zone.maximum else {
                if zone.nulls > 0 { return false }
                continue
            }
            if predicate.ipv4Only && high >= AddressPool.ipv6Base { continue }
            if let lower = predicate.lower, high < lower { return false }
            if let upper = predicate.upper, low > upper { return false }
            if let points = predicate.points {
                // The first value not below the zone's minimum must not be above its maximum.
                var first = 0, last = points.count
                while first < last {
                    let middle = (first + last) / 2
                    if points[middle] < low { first = middle + 1 } else { last = middle }
                }
                if first == points.count || points[first] > high { return false }
            }
        }
        return true
    }
}

extension Comparison {
    /// The comparison with its sides swapped.
    var flipped: Comparison {
        switch self {
        case .less: return .greater
        case .lessOrEqual: return .greaterOrEqual
        case .greater: return .less
        case .greaterOrEqual: return .lessOrEqual
        default: return self
        }
    }
}
