import FlowIngest

extension ExpressionCompiler {
    /// Scalar functions, by Trino name.
    static let scalarFunctions: [String] = [
        "abs", "ceil", "ceiling", "coalesce", "concat", "contains", "date", "date_add", "date_diff", "date_format",
        "date_trunc", "day", "day_of_month", "day_of_week", "day_of_year", "dow", "doy", "floor", "from_unixtime",
        "greatest", "hour", "if", "least", "length", "lower", "ltrim", "minute", "mod", "month", "nullif", "quarter",
        "regexp_like", "replace", "round", "rtrim", "second", "split_part", "starts_with", "strpos", "substr",
        "substring", "to_iso8601", "to_unixtime", "trim", "upper", "week", "week_of_year", "year",
        "protocol_name", "tcp_flag_names", "traffic_path_name", "json_extract_scalar",
    ]

    /// IANA protocol numbers flow logs show most, by name.
    static let protocolNames: [(Int, String)] = [
        (1, "icmp"), (2, "igmp"), (6, "tcp"), (17, "udp"), (41, "ipv6"), (47, "gre"), (50, "esp"), (51, "ah"),
        (58, "icmpv6"), (89, "ospf"), (132, "sctp"),
    ]

    /// TCP flag bits as flow logs OR them over the interval.
    static let tcpFlagNames: [(Int, String)] = [(1, "FIN"), (2, "SYN"), (4, "RST"), (8, "PSH"), (16, "ACK"), (32, "URG")]

    /// What the version 5 `traffic-path` codes mean (AWS VPC user guide).
    static let trafficPathNames: [(Int, String)] = [
        (1, "same VPC"), (2, "internet gateway or gateway VPC endpoint"), (3, "virtual private gateway"),
        (4, "intra-region VPC peering"), (5, "inter-region VPC peering"), (6, "local gateway"),
        (7, "gateway VPC endpoint (Nitro)"), (8, "internet gateway (Nitro)"),
    ]

    /// Compiles a scalar function call.
    func function(_ name: String, _ arguments: [Expression], at: SourceLocation) throws(QueryError) -> Compiled {
        func arity(_ range: ClosedRange<Int>) throws(QueryError) {
            guard range.contains(arguments.count) else {
                let expected = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
                throw QueryError(.type, "\(name)() takes \(expected) argument(s), \(arguments.count) given", at: at)
            }
        }
        func argument(_ i: Int) throws(QueryError) -> Compiled { try compile(arguments[i]) }
        func text(_ i: Int) throws(QueryError) -> Compiled {
            let c = decoded(try argument(i))
            guard c.type == .varchar || c.type == .unknown || c.type == .date else {
                throw QueryError(.type, "\(name)() needs varchar for argument \(i + 1), not \(c.type)", at: arguments[i].location)
            }
            return c
        }
        func number(_ i: Int) throws(QueryError) -> Compiled {
            let c = try argument(i)
            guard c.type.isNumeric || c.type == .unknown else {
                throw QueryError(.type, "\(name)() needs a number for argument \(i + 1), not \(c.type)", at: arguments[i].location)
            }
            return c
        }
        func constantText(_ i: Int) throws(QueryError) -> String {
            guard case .string(let value)? = try argument(i).constant else {
                throw QueryError(.unsupported, "argument \(i + 1) of \(name)() must be a string literal", at: arguments[i].location)
            }
            return value
        }

        switch name {
        // Strings.
        case "lower", "upper", "length", "trim", "ltrim", "rtrim":
            try arity(1...1)
            let t = try text(0)
            return Compiled(sql: "\(name)(\(t.sql))", type: name == "length" ? .integer : .varchar)
        case "concat":
            try arity(1...255)
            var parts: [String] = []
            for i in arguments.indices { parts.append(try text(i).sql) }
            return Compiled(sql: "(" + parts.joined(separator: " || ") + ")", type: .varchar)
        case "substr", "substring":
            try arity(2...3)
            let t = try text(0), start = try number(1)
            if arguments.count == 3 { return Compiled(sql: "substr(\(t.sql), \(start.sql), \(try number(2).sql))", type: .varchar) }
            return Compiled(sql: "substr(\(t.sql), \(start.sql))", type: .varchar)
        case "split_part":
            try arity(3...3)
            return Compiled(sql: "fq_split_part(\(try text(0).sql), \(try text(1).sql), \(try number(2).sql))", type: .varchar)
        case "replace":
            try arity(2...3)
            let replacement = arguments.count == 3 ? try text(2).sql : "''"
            return Compiled(sql: "replace(\(try text(0).sql), \(try text(1).sql), \(replacement))", type: .varchar)
        case "strpos":
            try arity(2...2)
            return Compiled(sql: "instr(\(try text(0).sql), \(try text(1).sql))", type: .integer)
        case "starts_with":
            try arity(2...2)
            let t = try text(0), p = try text(1)
            return Compiled(sql: "(substr(\(t.sql), 1, length(\(p.sql))) = \(p.sql))", type: .boolean)
        case "regexp_like":
            try arity(2...2)
            return Compiled(sql: "fq_regexp_like(\(try text(0).sql), \(try text(1).sql))", type: .boolean)
        case "json_extract_scalar":
            // For `extra_fields`, where fields past a partition's column limit are kept.
            try arity(2...2)
            let path = try constantText(1)
            guard path.hasPrefix("$"), !path.contains("[*]") else {
                throw QueryError(.type, "json_extract_scalar() needs a JSON path such as '$.field_name', not '\(path)'", at: arguments[1].location)
            }
            return Compiled(sql: "fq_json_scalar(\(try text(0).sql), \(builder.value(.text(path))))", type: .varchar)

        // Conditionals.
        case "coalesce", "greatest", "least":
            try arity(name == "coalesce" ? 1...255 : 1...255)
            var compiled: [Compiled] = []
            for i in arguments.indices { compiled.append(decoded(try argument(i))) }
            let type = try commonType(compiled, name: name, at: at)
            if compiled.count == 1 { return Compiled(sql: compiled[0].sql, type: type) }
            let sqlName = name == "coalesce" ? "coalesce" : name == "greatest" ? "max" : "min"
            return Compiled(sql: "\(sqlName)(\(compiled.map(\.sql).joined(separator: ", ")))", type: type)
        case "nullif":
            try arity(2...2)
            let (a, b) = try comparable(try argument(0), try argument(1), at: at)
            return Compiled(sql: "nullif(\(a.sql), \(b.sql))", type: a.type, encoding: a.encoding)
        case "if":
            try arity(2...3)
            let condition = try self.condition(arguments[0], clause: "if()")
            let then = decoded(try argument(1))
            let otherwise = arguments.count == 3 ? decoded(try argument(2)) : Compiled(sql: "NULL", type: .unknown)
            let type = try commonType([then, otherwise], name: name, at: at)
            return Compiled(sql: "(CASE WHEN \(condition.sql) THEN \(then.sql) ELSE \(otherwise.sql) END)", type: type)

        // Numbers.
        case "abs":
            try arity(1...1)
            let n = try number(0)
            return Compiled(sql: "abs(\(n.sql))", type: n.type)
        case "round":
            try arity(1...2)
            let n = try number(0)
            if arguments.count == 2 { return Compiled(sql: "round(\(n.sql), \(try number(1).sql))", type: .double) }
            return Compiled(sql: n.type == .integer ? n.sql : "round(\(n.sql))", type: n.type)
        case "floor", "ceil", "ceiling":
            try arity(1...1)
            let n = try number(0)
            if n.type == .integer { return n }
            return Compiled(sql: "fq_\(name == "floor" ? "floor" : "ceil")(\(n.sql))", type: .double)
        case "mod":
            try arity(2...2)
            let a = try number(0), b = try number(1)
            if a.type == .integer && b.type == .integer { return Compiled(sql: "(\(a.sql) % \(b.sql))", type: .integer) }
            return Compiled(sql: "fq_fmod(\(a.sql), \(b.sql))", type: .double)

        // Dates and times.
        case "from_unixtime":
            try arity(1...1)
            let n = try number(0)
            if case .integer(let v)? = n.constant { return literal(.timestamp(Double(v))) }
            if case .double(let v)? = n.constant { return literal(.timestamp(v)) }
            return Compiled(sql: n.sql, type: .timestamp)
        case "to_unixtime":
            try arity(1...1)
            let t = try argument(0)
            guard t.type == .timestamp || t.type == .unknown else { throw QueryError(.type, "to_unixtime() needs a timestamp, not \(t.type)", at: at) }
            return Compiled(sql: "CAST(\(t.sql) AS REAL)", type: .double)
        case "to_iso8601":
            try arity(1...1)
            let t = try argument(0)
            switch t.type {
            case .date: return t
            case .timestamp: return Compiled(sql: "strftime('%Y-%m-%dT%H:%M:%fZ', \(t.sql), 'unixepoch')", type: .varchar)
            default: throw QueryError(.type, "to_iso8601() needs a date or a timestamp, not \(t.type)", at: at)
            }
        case "date":
            try arity(1...1)
            return try DateTimeFunctions.toDate(try argument(0), at: at, compiler: self)
        case "date_trunc":
            try arity(2...2)
            return try DateTimeFunctions.truncate(try constantText(0), try argument(1), at: at, compiler: self)
        case "date_format":
            try arity(2...2)
            let t = try argument(0)
            let pattern = try DateTimeFunctions.strftimePattern(try constantText(1), at: arguments[1].location)
            switch t.type {
            case .timestamp: return Compiled(sql: "strftime(\(builder.value(.text(pattern))), \(t.sql), 'unixepoch')", type: .varchar)
            case .date: return Compiled(sql: "strftime(\(builder.value(.text(pattern))), \(t.sql))", type: .varchar)
            default: throw QueryError(.type, "date_format() needs a timestamp, not \(t.type)", at: at)
            }
        case "date_add":
            try arity(3...3)
            let unit = try constantText(0)
            guard case .integer(let amount)? = try argument(1).constant else {
                throw QueryError(.unsupported, "date_add() needs a constant amount", at: arguments[1].location)
            }
            let interval = literal(try intervalConstant(amount: amount, unit: unit, at: arguments[0].location))
            return try DateTimeFunctions.shift(try argument(2), by: interval, subtract: false, at: at, compiler: self)
        case "date_diff":
            try arity(3...3)
            let unit = try constantText(0).lowercased()
            var a = try argument(1), b = try argument(2)
            if a.type == .date { a = DateTimeFunctions.dateToTimestamp(a) }
            if b.type == .date { b = DateTimeFunctions.dateToTimestamp(b) }
            guard a.type == .timestamp, b.type == .timestamp else { throw QueryError(.type, "date_diff() needs dates or timestamps", at: at) }
            let divisor: Int64
            switch unit.trimmingSuffix("s") {
            case "second": divisor = 1
            case "minute": divisor = 60
            case "hour": divisor = 3600
            case "day": divisor = 86_400
            case "week": divisor = 7 * 86_400
            default: throw QueryError(.unsupported, "date_diff unit '\(unit)' is not supported (second, minute, hour, day, week are)", at: at)
            }
            return Compiled(sql: "CAST((\(b.sql) - \(a.sql)) / \(divisor) AS INTEGER)", type: .integer)
        case "year", "month", "day", "day_of_month", "day_of_year", "doy", "hour", "minute", "second", "day_of_week", "dow", "quarter", "week", "week_of_year":
            try arity(1...1)
            return try DateTimeFunctions.field(name, try argument(0), at: at)

        // Enrichment: names for the numbers flow logs carry.
        case "protocol_name", "traffic_path_name":
            try arity(1...1)
            let n = try number(0)
            let names = name == "protocol_name" ? Self.protocolNames : Self.trafficPathNames
            let arms = names.map { "WHEN \($0.0) THEN '\($0.1)'" }.joined(separator: " ")
            return Compiled(sql: "(CASE \(n.sql) \(arms) ELSE CAST(\(n.sql) AS TEXT) END)", type: .varchar)
        case "tcp_flag_names":
            try arity(1...1)
            let n = try number(0)
            let parts = Self.tcpFlagNames.map { "(CASE WHEN \(n.sql) & \($0.0) THEN '\($0.1),' ELSE '' END)" }.joined(separator: " || ")
            return Compiled(sql: "(CASE WHEN \(n.sql) IS NULL THEN NULL ELSE rtrim(\(parts), ',') END)", type: .varchar)

        // Addresses.
        case "contains":
            try arity(2...2)
            return try cidrContains(arguments[0], arguments[1], at: at)

        default:
            if let suggestion = Suggestions.closest(to: name, among: Self.scalarFunctions + AggregateFunction.names) {
                throw QueryError(.unknownName, "unknown function \(name)()", at: at, hint: "did you mean \(suggestion)()?")
            }
            if ["row_number", "rank", "dense_rank", "lag", "lead", "ntile"].contains(name) {
                throw QueryError(.unsupported, "window functions such as \(name)() are not supported", at: at)
            }
            if ["load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "sqlite_version"].contains(name) {
                throw QueryError(.refused, "\(name)() is not allowed: queries cannot touch files or the database engine", at: at)
            }
            throw QueryError(.unknownName, "unknown function \(name)()", at: at)
        }
    }

    /// `contains('10.0.0.0/8', cast(x AS IPADDRESS))`: a numeric range test, IPv4 or IPv6.
    private func cidrContains(_ network: Expression, _ address: Expression, at: SourceLocation) throws(QueryError) -> Compiled {
        let n = try compile(network)
        guard case .string(let text)? = n.constant else {
            throw QueryError(.unsupported, "contains() needs the network as a string literal such as '10.0.0.0/8'", at: network.location)
        }
        let block: CIDRBlock
        switch CIDRBlock.parse(text) {
        case .success(let parsed): block = parsed
        case .failure(let problem):
            throw QueryError(.type, "'\(text)': \(problem.message) (write a network such as 10.0.0.0/8 or 2001:db8::/32)", at: network.location)
        }
        var a = try compile(address)
        if a.type == .varchar, a.encoding == .address {
            a = Compiled(sql: a.sql, type: .ipaddress, encoding: .address)
        }
        guard a.type == .ipaddress || a.type == .unknown else {
            throw QueryError(.type, "contains() needs an IPADDRESS as its second argument, not \(a.type); write cast(srcaddr AS IPADDRESS)", at: address.location)
        }
        // Stored IPv4 addresses are integers and IPv6 ones 16-byte blobs; SQLite orders all
        // integers before all blobs, so a BETWEEN of one kind never matches the other, and NULL
        // never matches. An IPv4 block also holds the IPv4-mapped IPv6 addresses of its range
        // (Trino's IPADDRESS treats `::ffff:10.0.0.1` as `10.0.0.1`), and an IPv6 block that
        // covers mapped addresses holds those IPv4 addresses.
        var tests: [String] = []
        if let v4 = block.ipv4Range {
            tests.append("\(a.sql) BETWEEN \(builder.value(.integer(Int64(v4.lowerBound)))) AND \(builder.value(.integer(Int64(v4.upperBound))))")
        }
        let v6 = block.ipv6Range
        tests.append("\(a.sql) BETWEEN \(builder.value(.blob(v6.low))) AND \(builder.value(.blob(v6.high)))")
        return Compiled(sql: "(" + tests.joined(separator: " OR ") + ")", type: .boolean)
    }

    /// `amount` units as an interval constant (months and years kept apart from seconds).
    func intervalConstant(amount: Int64, unit: String, at: SourceLocation) throws(QueryError) -> Constant {
        switch unit.lowercased().trimmingSuffix("s") {
        case "second": return .interval(seconds: amount, months: 0)
        case "minute": return .interval(seconds: amount * 60, months: 0)
        case "hour": return .interval(seconds: amount * 3600, months: 0)
        case "day": return .interval(seconds: amount * 86_400, months: 0)
        case "week": return .interval(seconds: amount * 7 * 86_400, months: 0)
        case "month": return .interval(seconds: 0, months: amount)
        case "year": return .interval(seconds: 0, months: amount * 12)
        default: throw QueryError(.unsupported, "interval unit '\(unit)' is not supported (second, minute, hour, day, week, month, year are)", at: at)
        }
    }

    /// The one type all `values` share (numbers widen to double), for coalesce, if and CASE.
    func commonType(_ values: [Compiled], name: String, at: SourceLocation) throws(QueryError) -> SQLType {
        var type: SQLType = .unknown
        for value in values where value.type != .unknown {
            if type == .unknown { type = value.type; continue }
            if type.isNumeric && value.type.isNumeric { if value.type == .double { type = .double }; continue }
            guard type == value.type else {
                throw QueryError(.type, "\(name)() arguments have different types (\(type) and \(value.type))", at: at)
            }
        }
        return type
    }
}
