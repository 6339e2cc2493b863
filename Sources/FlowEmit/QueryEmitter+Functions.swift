import FlowModel
import FlowQuery

extension QueryEmitter {
    /// Functions that keep their name and arguments on both engines.
    static let portable: Set<String> = [
        "count", "sum", "min", "max", "avg", "lower", "upper", "length", "concat", "coalesce", "nullif", "greatest", "least",
        "substr", "substring", "replace", "trim", "ltrim", "rtrim", "abs", "round", "floor", "ceil", "date_trunc", "hour",
        "minute", "second", "year", "month", "quarter", "split_part", "count_if", "if",
    ]

    /// A function call written for the engine.
    func function(_ name: String, _ arguments: [Expression], distinct: Bool, star: Bool, at: SourceLocation) throws(QueryError) -> String {
        // contains() takes its address through CAST(... AS IPADDRESS), written only here.
        if name == "contains" { return try cidrContains(arguments, at: at) }
        let args = try arguments.map { a throws(QueryError) in try expression(a) }
        func call(_ callee: String) -> String { "\(callee)(\(distinct ? "DISTINCT " : "")\(star ? "*" : args.joined(separator: ", ")))" }
        switch (name, engine) {
        case ("approx_distinct", _):
            // flowq counts exactly; keep the same answer on the other engine.
            return "count(DISTINCT \(args.first ?? "NULL"))"
        case ("array_agg", .athena):
            return call("array_agg")
        case ("array_agg", .spark):
            // flowq (like Trino) keeps NULL in the array and lists DISTINCT values sorted, NULL
            // first. collect_set/collect_list skip NULLs and have no order, so the values travel
            // wrapped in a struct (never NULL itself) and are sorted as structs (NULL field first).
            let value = args.first ?? "NULL"
            return distinct ? "transform(array_sort(collect_set(named_struct('v', \(value)))), e -> e.v)"
                : "transform(collect_list(named_struct('v', \(value))), e -> e.v)"
        case ("day_of_week", .athena), ("dow", .athena):
            return "day_of_week(\(args.first ?? "NULL"))"
        case ("day_of_week", .spark), ("dow", .spark):
            // Spark's dayofweek is 1 = Sunday; flowq's (ISO) is 1 = Monday.
            return "((dayofweek(\(args.first ?? "NULL")) + 5) % 7 + 1)"
        case ("day", .spark), ("day_of_month", .spark):
            return "dayofmonth(\(args.first ?? "NULL"))"
        case ("from_unixtime", .spark):
            return "timestamp_seconds(\(args.first ?? "NULL"))"
        case ("to_unixtime", .spark):
            return "CAST(\(args.first ?? "NULL") AS DOUBLE)"
        case ("to_iso8601", .spark):
            return "date_format(\(args.first ?? "NULL"), \"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'\")"
        case ("date", .spark):
            return "to_date(\(args.first ?? "NULL"))"
        case ("strpos", .spark):
            return "instr(\(args.joined(separator: ", ")))"
        case ("json_extract_scalar", .spark):
            return "get_json_object(\(args.joined(separator: ", ")))"
        case ("regexp_like", .spark):
            return "(\(args.first ?? "NULL") RLIKE \(args.count > 1 ? args[1] : "NULL"))"
        case ("date_format", .spark):
            guard arguments.count == 2, case .string(let pattern, let patternAt) = arguments[1] else {
                throw QueryError(.unsupported, "date_format needs a string literal pattern to be written for Spark SQL", at: at)
            }
            return "date_format(\(args[0]), \(engine.literal(try Self.javaPattern(pattern, at: patternAt))))"
        case ("protocol_name", _), ("traffic_path_name", _):
            let names = name == "protocol_name" ? Binder.protocolNames : Binder.trafficPathNames
            let value = args.first ?? "NULL"
            let arms = names.map { "WHEN \($0.0) THEN \(engine.literal($0.1))" }.joined(separator: " ")
            return "(CASE \(value) \(arms) ELSE CAST(\(value) AS \(engine == .spark ? "STRING" : "VARCHAR")) END)"
        case ("tcp_flag_names", _):
            let value = args.first ?? "NULL"
            let parts = Binder.tcpFlagNames.map { flag -> String in
                let test = engine == .spark ? "(\(value) & \(flag.0)) <> 0" : "bitwise_and(\(value), \(flag.0)) <> 0"
                return "(CASE WHEN \(test) THEN \(engine.literal(flag.1 + ",")) ELSE '' END)"
            }.joined(separator: " || ")
            return "(CASE WHEN \(value) IS NULL THEN NULL ELSE regexp_replace(\(parts), ',$', '') END)"
        default:
            if Self.portable.contains(name) || (engine == .athena && (Binder.scalarFunctions.contains(name) || AggregateFunctions.isAggregate(name))) {
                return call(name)
            }
            throw QueryError(.unsupported, "\(name)() has no \(engine.displayName) equivalent flowq can write", at: at)
        }
    }

    /// `contains('cidr', cast(x AS IPADDRESS))`: Athena has it; Spark gets an IPv4 range test.
    private func cidrContains(_ arguments: [Expression], at: SourceLocation) throws(QueryError) -> String {
        guard arguments.count == 2, case .string(let text, let cidrAt) = arguments[0], let block = CIDRBlock(text) else {
            throw QueryError(.unsupported, "contains() is written for other engines only as contains('cidr', cast(column AS IPADDRESS))", at: at)
        }
        var address = arguments[1]
        if case .cast(let inner, "ipaddress", _, _) = address { address = inner }
        let value = try expression(address)
        switch engine {
        case .athena:
            return "contains(\(engine.literal(text)), CAST(\(value) AS IPADDRESS))"
        case .spark:
            guard case .v4(let low) = block.low, case .v4(let high) = block.high else {
                throw QueryError(.unsupported, "IPv6 CIDR matching cannot be written in Spark SQL (no address type); run this query in flowq or Athena", at: cidrAt)
            }
            let octets = (0..<4).map { "CAST(split(\(value), '[.]')[\($0)] AS BIGINT)" }
            let number = "(\(octets[0]) * 16777216 + \(octets[1]) * 65536 + \(octets[2]) * 256 + \(octets[3]))"
            return "(\(value) RLIKE '^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$' AND \(number) BETWEEN \(low) AND \(high))"
        }
    }

    /// A MySQL-style `date_format` pattern (Athena's) as a Java one (Spark's).
    static func javaPattern(_ pattern: String, at: SourceLocation) throws(QueryError) -> String {
        var result = ""
        var literal = ""
        func flushLiteral() {
            if !literal.isEmpty { result += "'" + literal.replacingOccurrences(of: "'", with: "''") + "'"; literal = "" }
        }
        var iterator = pattern.makeIterator()
        while let c = iterator.next() {
            guard c == "%" else {
                if c.isLetter { literal.append(c) } else { flushLiteral(); result.append(c) }
                continue
            }
            flushLiteral()
            switch iterator.next() {
            case "Y": result += "yyyy"
            case "m", "c": result += "MM"
            case "d", "e": result += "dd"
            case "H", "k": result += "HH"
            case "i": result += "mm"
            case "s", "S": result += "ss"
            case "T": result += "HH:mm:ss"
            case "j": result += "DDD"
            case "f": result += "SSSSSS"
            case "%": result += "%"
            case let other:
                throw QueryError(.unsupported, "date_format specifier %\(other.map(String.init) ?? "") cannot be written for Spark SQL", at: at)
            }
        }
        flushLiteral()
        return result
    }

    /// For Athena: a predicate on the `delivery_day` partition column that keeps every file
    /// holding flows of the query's start days (a file is delivered on the day its flows started
    /// or the day after), so Athena reads only those partitions. Nil when the query names no
    /// day bounds.
    func partitionPredicate(_ filter: Expression?) -> String? {
        guard let filter else { return nil }
        var low: PartitionDay? = nil, high: PartitionDay? = nil
        func conjuncts(_ e: Expression) -> [Expression] {
            if case .binary(.and, let l, let r, _) = e { return conjuncts(l) + conjuncts(r) }
            return [e]
        }
        // A day bound is any constant the binder folds to a day (a day string, a DATE literal,
        // `date('...')`, `DATE '2024-01-02' + INTERVAL '1' DAY`), except one that depends on
        // when the query runs: the emitted query may run another day.
        func day(_ e: Expression) -> PartitionDay? {
            if case .string(let text, _) = e { return PartitionDay(text) }
            guard !Self.readsClock(e) else { return nil }
            return types?.facts(e)?.constantDay
        }
        // The day columns, by what they are bound to (the flow's start day), not by name.
        func isDayColumn(_ e: Expression) -> Bool {
            types?.facts(e)?.isDayColumn == true
        }
        func tighten(low newLow: PartitionDay?, high newHigh: PartitionDay?) {
            if let newLow { low = low.map { max($0, newLow) } ?? newLow }
            if let newHigh { high = high.map { min($0, newHigh) } ?? newHigh }
        }
        for term in conjuncts(filter) {
            switch term {
            case .binary(let op, let l, let r, _) where op.isComparison:
                let (column, value, flipped) = isDayColumn(l) ? (l, r, false) : (r, l, true)
                guard isDayColumn(column), let d = day(value) else { continue }
                switch flipped ? op.flipped : op {
                case .equal: tighten(low: d, high: d)
                case .greaterOrEqual: tighten(low: d, high: nil)
                case .greater: tighten(low: d.adding(days: 1), high: nil)
                case .lessOrEqual: tighten(low: nil, high: d)
                case .less: tighten(low: nil, high: d.adding(days: -1))
                default: continue
                }
            case .between(let v, let lo, let hi, false, _) where isDayColumn(v):
                tighten(low: day(lo), high: day(hi))
            default:
                continue
            }
        }
        var parts: [String] = []
        let column = (join.map { engine.quoted($0.flowQualifier) + "." } ?? "") + engine.quoted("delivery_day")
        if let low { parts.append("\(column) >= \(engine.literal(partitionValue(low, lastHour: false)))") }
        if let high { parts.append("\(column) <= \(engine.literal(partitionValue(high.adding(days: 1), lastHour: true)))") }
        return parts.isEmpty ? nil : parts.joined(separator: " AND ")
    }

    /// True when the expression reads the clock (`current_date`, `now()`).
    static func readsClock(_ e: Expression) -> Bool {
        switch e {
        case .keywordFunction: return true
        case .function(let name, _, _, _, _) where ["now", "current_date", "current_timestamp", "localtimestamp"].contains(name.lowercased()): return true
        default: return e.children.contains(where: readsClock)
        }
    }
}
