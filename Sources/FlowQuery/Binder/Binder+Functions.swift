import FlowInventory
import FlowModel

extension Binder {
    /// Scalar functions, by Trino name.
    package static let scalarFunctions: [String] = [
        "abs", "ceil", "ceiling", "coalesce", "concat", "contains", "date", "date_add", "date_diff", "date_format",
        "date_trunc", "day", "day_of_month", "day_of_week", "day_of_year", "dow", "doy", "floor", "from_unixtime",
        "greatest", "hour", "if", "least", "length", "lower", "ltrim", "minute", "mod", "month", "nullif", "quarter",
        "regexp_like", "replace", "round", "rtrim", "second", "split_part", "starts_with", "strpos", "substr",
        "substring", "to_iso8601", "to_unixtime", "trim", "upper", "week", "week_of_year", "year",
        "protocol_name", "tcp_flag_names", "traffic_path_name", "json_extract_scalar",
    ]

    /// IANA protocol numbers flow logs show most, by name.
    package static let protocolNames: [(Int, String)] = [
        (1, "icmp"), (2, "igmp"), (6, "tcp"), (17, "udp"), (41, "ipv6"), (47, "gre"), (50, "esp"), (51, "ah"),
        (58, "icmpv6"), (89, "ospf"), (132, "sctp"),
    ]

    /// TCP flag bits as flow logs OR them over the interval.
    package static let tcpFlagNames: [(Int, String)] = [(1, "FIN"), (2, "SYN"), (4, "RST"), (8, "PSH"), (16, "ACK"), (32, "URG")]

    /// What the version 5 `traffic-path` codes mean (AWS VPC user guide).
    package static let trafficPathNames: [(Int, String)] = [
        (1, "same VPC"), (2, "internet gateway or gateway VPC endpoint"), (3, "virtual private gateway"),
        (4, "intra-region VPC peering"), (5, "inter-region VPC peering"), (6, "local gateway"),
        (7, "gateway VPC endpoint (Nitro)"), (8, "internet gateway (Nitro)"),
    ]

    /// Binds a scalar function call.
    func function(_ name: String, _ arguments: [Expression], at: SourceLocation) throws(QueryError) -> Bound {
        func arity(_ range: ClosedRange<Int>) throws(QueryError) {
            guard range.contains(arguments.count) else {
                let expected = range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
                throw QueryError(.type, "\(name)() takes \(expected) argument(s), \(arguments.count) given", at: at)
            }
        }
        func argument(_ i: Int) throws(QueryError) -> Bound { try bind(arguments[i]) }
        func textArgument(_ i: Int) throws(QueryError) -> Bound {
            let b = text(try argument(i))
            guard b.type == .varchar || b.type == .unknown else {
                throw QueryError(.type, "\(name)() needs varchar for argument \(i + 1), not \(b.type)", at: arguments[i].location)
            }
            return b
        }
        func number(_ i: Int) throws(QueryError) -> Bound {
            let b = try argument(i)
            guard b.type.isNumeric || b.type == .unknown else {
                throw QueryError(.type, "\(name)() needs a number for argument \(i + 1), not \(b.type)", at: arguments[i].location)
            }
            return b
        }
        func constantText(_ i: Int) throws(QueryError) -> String {
            guard case .string(let value)? = try argument(i).constant else {
                throw QueryError(.unsupported, "argument \(i + 1) of \(name)() must be a string literal", at: arguments[i].location)
            }
            return value
        }
        func call(_ function: BoundFunction, _ args: [Bound], _ type: SQLType) throws(QueryError) -> Bound {
            do {
                return try fold(function, args, type)
            } catch {
                var located = error
                if located.location == nil { located.location = at }
                throw located
            }
        }

        switch name {
        // Text.
        case "lower", "upper", "length", "trim", "ltrim", "rtrim":
            try arity(1...1)
            let function: BoundFunction = ["lower": .lower, "upper": .upper, "length": .length, "trim": .trim, "ltrim": .ltrim][name] ?? .rtrim
            return try call(function, [try textArgument(0)], name == "length" ? .integer : .varchar)
        case "concat":
            try arity(1...255)
            var parts: [Bound] = []
            for i in arguments.indices { parts.append(try textArgument(i)) }
            return try call(.concat, parts, .varchar)
        case "substr", "substring":
            try arity(2...3)
            var args = [try textArgument(0), try number(1)]
            if arguments.count == 3 { args.append(try number(2)) }
            return try call(.substr, args, .varchar)
        case "split_part":
            try arity(3...3)
            return try call(.splitPart, [try textArgument(0), try textArgument(1), try number(2)], .varchar)
        case "replace":
            try arity(2...3)
            var args = [try textArgument(0), try textArgument(1)]
            if arguments.count == 3 { args.append(try textArgument(2)) }
            return try call(.replace, args, .varchar)
        case "strpos":
            try arity(2...2)
            return try call(.strpos, [try textArgument(0), try textArgument(1)], .integer)
        case "starts_with":
            try arity(2...2)
            return try call(.startsWith, [try textArgument(0), try textArgument(1)], .boolean)
        case "regexp_like":
            try arity(2...2)
            return try call(.regexpLike, [try textArgument(0), try textArgument(1)], .boolean)
        case "json_extract_scalar":
            // For fields kept as JSON objects (and any JSON text).
            try arity(2...2)
            let path = try constantText(1)
            guard path.hasPrefix("$"), !path.contains("[*]"), JSONPath.keys(path) != nil else {
                throw QueryError(.type, "json_extract_scalar() needs a JSON path such as '$.field_name', not '\(path)'", at: arguments[1].location)
            }
            return try call(.jsonExtractScalar, [try textArgument(0), .literal(.string(path), .varchar)], .varchar)

        // Conditionals.
        case "coalesce", "greatest", "least":
            try arity(1...255)
            var bound: [Bound] = []
            for i in arguments.indices { bound.append(decoded(try argument(i))) }
            let type = try commonType(bound, name: name, at: at)
            if bound.count == 1 { return bound[0] }
            let widened = bound.map { widen($0, to: type) }
            return try call(name == "coalesce" ? .coalesce : name == "greatest" ? .greatest : .least, widened, type)
        case "nullif":
            try arity(2...2)
            let (a, b) = try comparable(try argument(0), try argument(1), at: at)
            return Bound.call(.nullif, [a, b], a.type, form: a.form)
        case "if":
            try arity(2...3)
            let condition = try self.condition(arguments[0], clause: "if()")
            let then = decoded(try argument(1))
            let otherwise = arguments.count == 3 ? decoded(try argument(2)) : Bound.null
            let type = try commonType([then, otherwise], name: name, at: at)
            let branch = (condition: condition, result: widen(then, to: type))
            if case .int(let v)? = condition.constant { return v != 0 ? branch.result : widen(otherwise, to: type) }
            if condition.constant?.isNull == true { return widen(otherwise, to: type) }
            return Bound(.caseWhen([branch], otherwise: widen(otherwise, to: type)), type: type)

        // Numbers.
        case "abs":
            try arity(1...1)
            let n = try number(0)
            return try call(.abs, [n], n.type == .unknown ? .integer : n.type)
        case "round":
            try arity(1...2)
            let n = try number(0)
            if arguments.count == 2 { return try call(.roundTo, [widen(n, to: .double), try number(1)], .double) }
            return n.type == .integer ? n : try call(.round, [n], n.type)
        case "floor", "ceil", "ceiling":
            try arity(1...1)
            let n = try number(0)
            if n.type == .integer { return n }
            return try call(name == "floor" ? .floor : .ceil, [n], .double)
        case "mod":
            try arity(2...2)
            let a = try number(0), b = try number(1)
            let type: SQLType = a.type == .integer && b.type == .integer ? .integer : .double
            return try call(.modulo, [a, b], type)

        // Dates and times.
        case "from_unixtime":
            try arity(1...1)
            return try call(.fromUnixtime, [try number(0)], .timestamp)
        case "to_unixtime":
            try arity(1...1)
            let t = try argument(0)
            guard t.type == .timestamp || t.type == .unknown else { throw QueryError(.type, "to_unixtime() needs a timestamp, not \(t.type)", at: at) }
            return try call(.toUnixtime, [t], .double)
        case "to_iso8601":
            try arity(1...1)
            let t = try argument(0)
            guard t.type == .date || t.type == .timestamp || t.type == .unknown else {
                throw QueryError(.type, "to_iso8601() needs a date or a timestamp, not \(t.type)", at: at)
            }
            return try call(.toISO8601, [t], .varchar)
        case "date":
            try arity(1...1)
            return try toDate(try argument(0), at: at)
        case "date_trunc":
            try arity(2...2)
            let unitText = try constantText(0).lowercased()
            let value = try argument(1)
            guard let unit = TruncationUnit(rawValue: unitText) else {
                if value.type == .date {
                    throw QueryError(.type, "date_trunc('\(unitText)', date) is not valid for a date (day, week, month, quarter, year are)", at: at)
                }
                throw QueryError(.type, "date_trunc unit '\(unitText)' is not one of second, minute, hour, day, week, month, quarter, year", at: at)
            }
            switch value.type {
            case .date:
                guard [.day, .week, .month, .quarter, .year].contains(unit) else {
                    throw QueryError(.type, "date_trunc('\(unitText)', date) is not valid for a date (day, week, month, quarter, year are)", at: at)
                }
                return try call(.dateTrunc(unit), [value], .date)
            case .timestamp, .unknown:
                return try call(.dateTrunc(unit), [value], .timestamp)
            default:
                throw QueryError(.type, "date_trunc needs a date or a timestamp, not \(value.type)", at: at)
            }
        case "date_format":
            try arity(2...2)
            let t = try argument(0)
            let pattern = try DateFormatPattern.parse(try constantText(1), at: arguments[1].location)
            guard t.type == .timestamp || t.type == .date || t.type == .unknown else {
                throw QueryError(.type, "date_format() needs a timestamp, not \(t.type)", at: at)
            }
            let timestamp = t.type == .date ? try fold(.dateToTimestamp, [t], .timestamp) : t
            return try call(.dateFormat(pattern), [timestamp], .varchar)
        case "date_add":
            try arity(3...3)
            let unit = try constantText(0)
            guard case .int(let amount)? = try argument(1).constant else {
                throw QueryError(.unsupported, "date_add() needs a constant amount", at: arguments[1].location)
            }
            let interval = try self.interval(amount: amount, unit: unit, at: arguments[0].location)
            let value = try argument(2)
            guard value.type == .date || value.type == .timestamp else {
                throw QueryError(.type, "date_add() needs a date or a timestamp, not \(value.type)", at: at)
            }
            return try shift(value, by: interval, subtract: false, at: at)
        case "date_diff":
            try arity(3...3)
            let unit = try constantText(0).lowercased()
            var a = try argument(1), b = try argument(2)
            if a.type == .date { a = try fold(.dateToTimestamp, [a], .timestamp) }
            if b.type == .date { b = try fold(.dateToTimestamp, [b], .timestamp) }
            guard a.type == .timestamp || a.type == .unknown, b.type == .timestamp || b.type == .unknown else {
                throw QueryError(.type, "date_diff() needs dates or timestamps", at: at)
            }
            let divisor: Int64
            switch unit.trimmingSuffix("s") {
            case "second": divisor = 1
            case "minute": divisor = 60
            case "hour": divisor = 3600
            case "day": divisor = 86_400
            case "week": divisor = 7 * 86_400
            default: throw QueryError(.unsupported, "date_diff unit '\(unit)' is not supported (second, minute, hour, day, week are)", at: at)
            }
            return try call(.dateDiff(divisorSeconds: divisor), [a, b], .integer)
        case "year", "month", "day", "day_of_month", "day_of_year", "doy", "hour", "minute", "second", "day_of_week", "dow", "quarter", "week", "week_of_year":
            try arity(1...1)
            let value = try argument(0)
            guard value.type == .date || value.type == .timestamp || value.type == .unknown else {
                throw QueryError(.type, "\(name)() needs a date or a timestamp, not \(value.type)", at: at)
            }
            let field: DateField
            switch name {
            case "year": field = .year
            case "month": field = .month
            case "day", "day_of_month": field = .day
            case "day_of_year", "doy": field = .dayOfYear
            case "hour": field = .hour
            case "minute": field = .minute
            case "second": field = .second
            case "day_of_week", "dow": field = .dayOfWeek
            case "quarter": field = .quarter
            default: field = .week
            }
            let timestamp = value.type == .date ? try fold(.dateToTimestamp, [value], .timestamp) : value
            return try call(.dateField(field), [timestamp], .integer)

        // Names for the numbers flow logs carry.
        case "protocol_name", "traffic_path_name":
            try arity(1...1)
            return try call(name == "protocol_name" ? .protocolName : .trafficPathName, [try number(0)], .varchar)
        case "tcp_flag_names":
            try arity(1...1)
            return try call(.tcpFlagNames, [try number(0)], .varchar)

        // Addresses.
        case "contains":
            try arity(2...2)
            return try cidrContains(arguments[0], arguments[1], at: at)

        case "aws_service", "aws_region":
            try arity(1...1)
            return try awsRange(name, arguments[0], at: at)

        case "addr_owner":
            try arity(1...1)
            return try addressOwner(arguments[0], at: at)

        default:
            if let suggestion = Suggestions.closest(to: name, among: Self.scalarFunctions + ["aws_service", "aws_region", "addr_owner"] + AggregateFunctions.names) {
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
    /// `aws_service(addr)` / `aws_region(addr)` over the store's newest `ip-ranges.json`.
    private func awsRange(_ name: String, _ address: Expression, at: SourceLocation) throws(QueryError) -> Bound {
        let ranges: AWSIPRanges?
        do {
            ranges = try inventory?.ranges()
        } catch {
            throw QueryError(.execution, "\(name)() cannot read the inventory: \(error.localizedDescription)", at: at)
        }
        guard let ranges else {
            throw QueryError(.unsupported, "\(name)() needs AWS's ip-ranges.json in the store's inventory", at: at,
                             hint: "curl -sO https://ip-ranges.amazonaws.com/ip-ranges.json && flowq inventory add ip-ranges.json")
        }
        var a = try bind(address)
        if a.type == .varchar && a.form != .address {
            // Text that is not an address is in no range: NULL, as for a NULL address.
            a = try fold(.castToIPAddress(isTry: true), [a], .ipaddress)
        }
        guard a.type == .ipaddress || a.type == .unknown || (a.type == .varchar && a.form == .address) else {
            throw QueryError(.type, "\(name)() needs an address (srcaddr, dstaddr, ...), not \(a.type)", at: address.location)
        }
        return try fold(name == "aws_service" ? .awsService(ranges) : .awsRegion(ranges), [a], .varchar)
    }

    /// `addr_owner(addr)`: the address's owner at the flow's time, from the inventory's
    /// interface snapshots; the flow's `start` is the time.
    private func addressOwner(_ address: Expression, at: SourceLocation) throws(QueryError) -> Bound {
        let owners: AddressOwners
        do {
            owners = try inventory?.owners() ?? AddressOwners([])
        } catch {
            throw QueryError(.execution, "addr_owner() cannot read the inventory: \(error.localizedDescription)", at: at)
        }
        guard owners.count > 0 || inventory?.requiresData == false else {
            throw QueryError(.unsupported, "addr_owner() needs `aws ec2 describe-network-interfaces` output in the store's inventory", at: at,
                             hint: "aws ec2 describe-network-interfaces > enis.json && flowq inventory add enis.json")
        }
        var a = try bind(address)
        if a.type == .varchar && a.form != .address { a = try fold(.castToIPAddress(isTry: true), [a], .ipaddress) }
        guard a.type == .ipaddress || a.type == .unknown || (a.type == .varchar && a.form == .address) else {
            throw QueryError(.type, "addr_owner() needs an address (srcaddr, dstaddr, ...), not \(a.type)", at: address.location)
        }
        let time = try bind(.column(name: "start", quoted: false, table: nil, at: at))
        return Bound.call(.addressOwner(owners), [a, time], .varchar)
    }

    private func cidrContains(_ network: Expression, _ address: Expression, at: SourceLocation) throws(QueryError) -> Bound {
        let n = try bind(network)
        guard case .string(let text)? = n.constant else {
            throw QueryError(.unsupported, "contains() needs the network as a string literal such as '10.0.0.0/8'", at: network.location)
        }
        let block: CIDRBlock
        switch CIDRBlock.parse(text) {
        case .success(let parsed): block = parsed
        case .failure(let problem):
            throw QueryError(.type, "'\(text)': \(problem.message) (write a network such as 10.0.0.0/8 or 2001:db8::/32)", at: network.location)
        }
        let a = try bind(address)
        guard a.type == .ipaddress || a.type == .unknown || (a.type == .varchar && a.form == .address) else {
            throw QueryError(.type, "contains() needs an IPADDRESS as its second argument, not \(a.type); write cast(srcaddr AS IPADDRESS)", at: address.location)
        }
        return try fold(.cidrContains(block), [a], .boolean)
    }
}

/// `date_format` patterns (MySQL style, as Athena takes them), parsed once.
enum DateFormatPattern {
    static func parse(_ pattern: String, at: SourceLocation) throws(QueryError) -> [DateFormatPiece] {
        var pieces: [DateFormatPiece] = []
        var literal = ""
        var iterator = pattern.makeIterator()
        func flush() {
            if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
        }
        while let c = iterator.next() {
            guard c == "%" else {
                literal.append(c)
                continue
            }
            guard let spec = iterator.next() else { literal.append("%"); break }
            switch spec {
            case "Y": flush(); pieces.append(.year)
            case "m", "c": flush(); pieces.append(.month)
            case "d", "e": flush(); pieces.append(.day)
            case "H", "k": flush(); pieces.append(.hour)
            case "i": flush(); pieces.append(.minute)
            case "s", "S": flush(); pieces.append(.second)
            case "T": flush(); pieces += [.hour, .literal(":"), .minute, .literal(":"), .second]
            case "j": flush(); pieces.append(.dayOfYear)
            case "f": flush(); pieces.append(.milliseconds)
            case "%": literal.append("%")
            default:
                throw QueryError(.unsupported, "date_format specifier %\(spec) is not supported (%Y %m %d %H %i %s %T %j are)", at: at)
            }
        }
        flush()
        return pieces
    }
}
