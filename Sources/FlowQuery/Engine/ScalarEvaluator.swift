import FlowInventory
import FlowModel
import Foundation
import Synchronization

/// Computes one bound function on one set of argument values: the semantics of every function
/// and operator, in one place. The vectorized evaluator has fast paths for the common ones and
/// falls back to this for the rest; the binder folds constants with it.
///
/// Semantics are Trino's: NULL in gives NULL out (but for the three-valued logic of AND, OR
/// and IN), integer overflow and division by zero are errors, text is counted in code points.
enum ScalarEvaluator {
    /// An error a function raises on a value (the query fails with it).
    static func failure(_ message: String) -> QueryError {
        QueryError(.execution, message)
    }

    /// Evaluates a bound expression that reads no column (folding).
    static func evaluate(_ bound: Bound, row: [Value], pools: Pools?) throws -> Value {
        switch bound.node {
        case .constant:
            return bound.constant ?? .null
        case .function(let function, let arguments):
            if case .and = function { return try lazyAnd(arguments.map { a in { try evaluate(a, row: row, pools: pools) } }) }
            if case .or = function { return try lazyOr(arguments.map { a in { try evaluate(a, row: row, pools: pools) } }) }
            let values = try arguments.map { try evaluate($0, row: row, pools: pools) }
            return try apply(function, values, types: arguments.map(\.type), resultType: bound.type)
        case .caseWhen(let branches, let otherwise):
            for branch in branches where try evaluate(branch.condition, row: row, pools: pools) == .int(1) {
                return try evaluate(branch.result, row: row, pools: pools)
            }
            return try otherwise.map { try evaluate($0, row: row, pools: pools) } ?? .null
        case .column, .partitionDate, .partitionSlashed, .groupKey, .aggregate:
            throw QueryError(.execution, "internal: a value that needs a row was folded")
        }
    }

    static func lazyAnd(_ operands: [() throws -> Value]) throws -> Value {
        var sawNull = false
        for operand in operands {
            switch try operand() {
            case .int(0): return .int(0)
            case .null: sawNull = true
            default: break
            }
        }
        return sawNull ? .null : .int(1)
    }

    static func lazyOr(_ operands: [() throws -> Value]) throws -> Value {
        var sawNull = false
        for operand in operands {
            switch try operand() {
            case .null: sawNull = true
            case .int(let v) where v != 0: return .int(1)
            default: break
            }
        }
        return sawNull ? .null : .int(0)
    }

    // MARK: Apply

    /// The function's value for these arguments (of these types).
    static func apply(_ function: BoundFunction, _ a: [Value], types: [SQLType], resultType: SQLType) throws -> Value {
        switch function {
        case .and: return try lazyAnd(a.map { v in { v } })
        case .or: return try lazyOr(a.map { v in { v } })
        case .not:
            guard case .int(let v) = a[0] else { return .null }
            return .int(v == 0 ? 1 : 0)
        case .isNull: return .int(a[0].isNull ? 1 : 0)
        case .isNotNull: return .int(a[0].isNull ? 0 : 1)
        case .compare(let op):
            if a[0].isNull || a[1].isNull { return .null }
            return .int(op.holds(Value.compare(a[0], a[1])) ? 1 : 0)
        case .inList(let items, let negated):
            if a[0].isNull { return .null }
            var sawNull = false
            for item in items {
                if item.isNull { sawNull = true; continue }
                if Value.compare(a[0], item) == 0 { return .int(negated ? 0 : 1) }
            }
            return sawNull ? .null : .int(negated ? 1 : 0)
        case .like(let negated):
            guard let text = a[0].string, let pattern = a[1].string else { return .null }
            var escape: Character? = nil
            if a.count > 2 {
                guard let e = a[2].string else { return .null }
                guard e.count == 1 else { throw failure("Escape string must be a single character") }
                escape = e.first
            }
            let matched = try LikePattern.cached(pattern, escape: escape).matches(text)
            return .int(matched != negated ? 1 : 0)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(function, a[0], a[1], resultType: resultType)
        case .negate:
            switch a[0] {
            case .int(let v):
                guard v != .min else { throw failure("bigint negation overflow: -(\(v))") }
                return .int(-v)
            case .double(let v): return .double(-v)
            default: return .null
            }
        case .concat:
            var out = ""
            for value in a {
                guard let text = value.string else { return .null }
                out += text
            }
            return .string(out)
        case .toText:
            return text(a[0], type: types[0])
        case .castToBigint(let isTry):
            return try tryOrNull(isTry) { try toBigint(a[0]) }
        case .castToDouble(let isTry):
            return try tryOrNull(isTry) { try toDouble(a[0]) }
        case .castToBoolean:
            switch a[0] {
            case .null: return .null
            case .int(let v): return .int(v != 0 ? 1 : 0)
            case .double(let v): return .int(v != 0 ? 1 : 0)
            case .string(let s):
                switch s.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true", "t", "1": return .int(1)
                case "false", "f", "0": return .int(0)
                default: throw failure("Cannot cast '\(s)' to BOOLEAN")
                }
            default: throw failure("Cannot cast to BOOLEAN")
            }
        case .castToIPAddress(let isTry):
            guard let s = a[0].string else { return a[0].isNull ? .null : a[0] }
            if let address = IPAddress(s.trimmingCharacters(in: .whitespaces)) { return .address(address) }
            if isTry { return .null }
            throw failure("Cannot cast value to IPADDRESS: \(s)")
        case .textToDate:
            guard let s = a[0].string else { return .null }
            guard let day = PartitionDay(s.trimmingCharacters(in: .whitespaces)) else { throw failure("Value cannot be cast to date: \(s)") }
            return .int(Int64(day.dayNumber))
        case .dateToTimestamp:
            guard case .int(let days) = a[0] else { return .null }
            return .int(days * 86_400_000)
        case .timestampToDate:
            guard case .int(let ms) = a[0] else { return .null }
            return .int(Timestamps.floorDivide(ms, 86_400_000).0)
        case .fromUnixtime:
            switch a[0] {
            case .int(let seconds):
                let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
                guard !overflow else { throw failure("from_unixtime(\(seconds)) is out of range") }
                return .int(ms)
            case .double(let seconds):
                let ms = (seconds * 1000).rounded()
                guard ms.isFinite, abs(ms) < 9.2e18 else { throw failure("from_unixtime(\(seconds)) is out of range") }
                return .int(Int64(ms))
            default: return .null
            }
        case .toUnixtime:
            guard case .int(let ms) = a[0] else { return .null }
            return .double(Double(ms) / 1000)
        case .toISO8601:
            guard case .int(let v) = a[0] else { return .null }
            if types[0] == .date { return .string(PartitionDay(dayNumber: Int32(truncatingIfNeeded: v)).isoText) }
            return .string(Timestamps.iso8601(milliseconds: v))
        case .dateTrunc(let unit):
            guard case .int(let v) = a[0] else { return .null }
            return .int(types[0] == .date ? CalendarMath.truncate(days: v, unit) : CalendarMath.truncate(milliseconds: v, unit))
        case .dateField(let field):
            guard case .int(let ms) = a[0] else { return .null }
            return .int(CalendarMath.field(field, milliseconds: ms))
        case .dateFormat(let pieces):
            guard case .int(let ms) = a[0] else { return .null }
            return .string(CalendarMath.format(milliseconds: ms, pieces))
        case .shiftTimestamp(let seconds, let months):
            guard case .int(let ms) = a[0] else { return .null }
            var shifted = ms
            if months != 0 { shifted = CalendarMath.addMonths(milliseconds: shifted, months) }
            let (result, overflow) = shifted.addingReportingOverflow(seconds &* 1000)
            guard !overflow else { throw failure("timestamp out of range") }
            return .int(result)
        case .shiftDate(let days, let months):
            guard case .int(let day) = a[0] else { return .null }
            var shifted = PartitionDay(dayNumber: Int32(truncatingIfNeeded: day))
            if months != 0 { shifted = CalendarMath.addMonths(shifted, months) }
            return .int(Int64(shifted.dayNumber) + days)
        case .dateDiff(let divisor):
            guard case .int(let from) = a[0], case .int(let to) = a[1] else { return .null }
            return .int((to - from) / (divisor * 1000))
        case .lower, .upper, .length, .trim, .ltrim, .rtrim:
            guard let s = a[0].string else { return .null }
            switch function {
            case .lower: return .string(s.lowercased())
            case .upper: return .string(s.uppercased())
            case .length: return .int(Int64(s.unicodeScalars.count))
            default:
                let scalars = Array(s.unicodeScalars)
                var low = 0, high = scalars.count
                if case .rtrim = function {} else { while low < high && isSpace(scalars[low]) { low += 1 } }
                if case .ltrim = function {} else { while high > low && isSpace(scalars[high - 1]) { high -= 1 } }
                var out = String.UnicodeScalarView()
                out.append(contentsOf: scalars[low..<high])
                return .string(String(out))
            }
        case .substr:
            guard let s = a[0].string, let start = a[1].int else { return .null }
            var length: Int64? = nil
            if a.count > 2 {
                guard let l = a[2].int else { return .null }
                length = l
            }
            return .string(substring(s, start: start, length: length))
        case .splitPart:
            guard let s = a[0].string, let delimiter = a[1].string, let index = a[2].int else { return .null }
            guard index >= 1 else { throw failure("Index must be greater than zero") }
            if delimiter.isEmpty { return index == 1 ? .string(s) : .null }
            let parts = s.components(separatedBy: delimiter)
            return index <= parts.count ? .string(parts[Int(index - 1)]) : .null
        case .replace:
            guard let s = a[0].string, let search = a[1].string else { return .null }
            var replacement = ""
            if a.count > 2 {
                guard let r = a[2].string else { return .null }
                replacement = r
            }
            if search.isEmpty { return .string(s) }
            return .string(s.replacingOccurrences(of: search, with: replacement))
        case .strpos:
            guard let s = a[0].string, let sub = a[1].string else { return .null }
            if sub.isEmpty { return .int(1) }
            guard let range = s.range(of: sub) else { return .int(0) }
            return .int(Int64(s.unicodeScalars[..<range.lowerBound].count) + 1)
        case .startsWith:
            guard let s = a[0].string, let prefix = a[1].string else { return .null }
            return .int(s.hasPrefix(prefix) || prefix.isEmpty ? 1 : 0)
        case .regexpLike:
            guard let s = a[0].string, let pattern = a[1].string else { return .null }
            let regex = try RegexCache.shared.regex(pattern)
            return .int(regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil ? 1 : 0)
        case .jsonExtractScalar:
            guard let json = a[0].string, let path = a[1].string else { return .null }
            return JSONScalar.extract(json, path: path).map(Value.string) ?? .null
        case .coalesce:
            return a.first { !$0.isNull } ?? .null
        case .greatest, .least:
            if a.contains(where: \.isNull) { return .null }
            var best = a[0]
            for value in a.dropFirst() {
                let order = Value.compare(value, best)
                if case .greatest = function, order > 0 { best = value }
                if case .least = function, order < 0 { best = value }
            }
            return best
        case .nullif:
            if a[0].isNull { return .null }
            if !a[1].isNull, Value.compare(a[0], a[1]) == 0 { return .null }
            return a[0]
        case .abs:
            switch a[0] {
            case .int(let v):
                guard v != .min else { throw failure("bigint abs overflow: \(v)") }
                return .int(Swift.abs(v))
            case .double(let v): return .double(Swift.abs(v))
            default: return .null
            }
        case .round:
            switch a[0] {
            case .double(let v): return .double(v.rounded(.toNearestOrAwayFromZero))
            default: return a[0]
            }
        case .roundTo:
            guard let v = a[0].double, let digits = a[1].int else { return .null }
            let scale = pow(10.0, Double(digits))
            return .double((v * scale).rounded(.toNearestOrAwayFromZero) / scale)
        case .floor:
            return a[0].double.map { .double(Foundation.floor($0)) } ?? .null
        case .ceil:
            return a[0].double.map { .double(Foundation.ceil($0)) } ?? .null
        case .protocolName, .trafficPathName:
            guard case .int(let n) = a[0] else { return .null }
            let names = { if case .protocolName = function { return Binder.protocolNames } else { return Binder.trafficPathNames } }()
            return .string(names.first { Int64($0.0) == n }?.1 ?? String(n))
        case .tcpFlagNames:
            guard case .int(let n) = a[0] else { return .null }
            return .string(Binder.tcpFlagNames.filter { n & Int64($0.0) != 0 }.map(\.1).joined(separator: ","))
        case .cidrContains(let block):
            guard case .address(let address) = a[0] else { return .null }
            return .int(contains(block, address) ? 1 : 0)
        case .awsService(let ranges), .awsRegion(let ranges):
            guard case .address(let address) = a[0] else { return .null }
            let match: AWSIPRanges.Match?
            switch address {
            case .v4(let v4): match = ranges.match(forIPv4: v4)
            case .v6(let bytes): match = ranges.match(forIPv6Bytes: bytes)
            }
            guard let match else { return .null }
            if case .awsService = function { return .string(match.service) }
            return .string(match.region)
        case .addressOwner(let owners):
            guard case .address(let address) = a[0] else { return .null }
            var time: Int64? = nil
            if case .int(let seconds) = a[1] { time = seconds }
            return owners.owner(of: address, at: time).map(Value.string) ?? .null
        }
    }

    // MARK: Helpers

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }

    private static func tryOrNull(_ isTry: Bool, _ body: () throws -> Value) throws -> Value {
        guard isTry else { return try body() }
        return (try? body()) ?? .null
    }

    static func arithmetic(_ function: BoundFunction, _ l: Value, _ r: Value, resultType: SQLType) throws -> Value {
        if l.isNull || r.isNull { return .null }
        if resultType == .double {
            guard let x = l.double, let y = r.double else { return .null }
            switch function {
            case .add: return .double(x + y)
            case .subtract: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return .double(x / y)
            default: return .double(fmod(x, y))
            }
        }
        guard case .int(let x) = l, case .int(let y) = r else { return .null }
        return .int(try integer(function, x, y))
    }

    /// Checked integer arithmetic, with Trino's messages.
    @inline(__always)
    static func integer(_ function: BoundFunction, _ x: Int64, _ y: Int64) throws -> Int64 {
        switch function {
        case .add:
            let (v, o) = x.addingReportingOverflow(y)
            if o { throw failure("bigint addition overflow: \(x) + \(y)") }
            return v
        case .subtract:
            let (v, o) = x.subtractingReportingOverflow(y)
            if o { throw failure("bigint subtraction overflow: \(x) - \(y)") }
            return v
        case .multiply:
            let (v, o) = x.multipliedReportingOverflow(by: y)
            if o { throw failure("bigint multiplication overflow: \(x) * \(y)") }
            return v
        case .divide:
            guard y != 0 else { throw failure("Division by zero") }
            let (v, o) = x.dividedReportingOverflow(by: y)
            if o { throw failure("bigint division overflow: \(x) / \(y)") }
            return v
        default:
            guard y != 0 else { throw failure("Division by zero") }
            return y == -1 ? 0 : x % y
        }
    }

    /// A value as Trino's varchar text.
    static func text(_ value: Value, type: SQLType) -> Value {
        switch value {
        case .null: return .null
        case .string: return value
        case .address(let a): return .string(a.text)
        case .double(let v): return .string(ValueText.formatDouble(v))
        case .int(let v):
            switch type {
            case .boolean: return .string(v != 0 ? "true" : "false")
            case .date: return .string(PartitionDay(dayNumber: Int32(truncatingIfNeeded: v)).isoText)
            case .timestamp: return .string(Timestamps.format(milliseconds: v))
            default: return .string(String(v))
            }
        case .array: return .string(value.output(type).textValue ?? "")
        }
    }

    static func toBigint(_ value: Value) throws -> Value {
        switch value {
        case .null: return .null
        case .int: return value
        case .double(let v):
            // Trino rounds half away from zero and refuses what does not fit.
            let rounded = v.rounded(.toNearestOrAwayFromZero)
            guard rounded.isFinite, rounded >= -9.223372036854775808e18, rounded < 9.223372036854775808e18 else {
                throw failure("Unable to cast \(ValueText.formatDouble(v)) to bigint: out of range")
            }
            return .int(Int64(rounded))
        case .string(let s):
            guard let v = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw failure("Cannot cast '\(s)' to BIGINT") }
            return .int(v)
        case .address, .array:
            throw failure("Cannot cast to BIGINT")
        }
    }

    static func toDouble(_ value: Value) throws -> Value {
        switch value {
        case .null: return .null
        case .int(let v): return .double(Double(v))
        case .double: return value
        case .string(let s):
            guard let v = TextParsing.double(s) else { throw failure("Cannot cast '\(s)' to DOUBLE") }
            return .double(v)
        case .address, .array:
            throw failure("Cannot cast to DOUBLE")
        }
    }

    /// Trino's substr: 1-based in code points; a start of 0, a start before the string, a
    /// start past it, or a length of 0 or less gives ''.
    static func substring(_ s: String, start: Int64, length: Int64?) -> String {
        let scalars = Array(s.unicodeScalars)
        let count = Int64(scalars.count)
        guard start != 0 else { return "" }
        var first = start > 0 ? start : count + start + 1
        guard first >= 1, first <= count else { return "" }
        first -= 1
        var last = count
        if let length {
            guard length > 0 else { return "" }
            last = min(count, first + length)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[Int(first)..<Int(last)])
        return String(out)
    }

    /// Whether a CIDR block holds an address (IPv4-mapped IPv6 counts as IPv4).
    static func contains(_ block: CIDRBlock, _ address: IPAddress) -> Bool {
        switch address {
        case .v4(let v): return block.ipv4Range?.contains(v) ?? false
        case .v6(let bytes):
            if let mapped = IPAddress.mappedIPv4(bytes), let range = block.ipv4Range, range.contains(mapped) { return true }
            let (low, high) = block.ipv6Range
            return !bytes.lexicographicallyPrecedes(low) && !high.lexicographicallyPrecedes(bytes)
        }
    }
}

/// What a query shares across threads for decoding values: the text and address pools.
final class Pools: Sendable {
    let strings = StringPool()
    let addresses = AddressPool()
}

/// Compiled patterns for `regexp_like`, shared by a query's threads.
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let cache = Mutex<[String: NSRegularExpression]>([:])

    func regex(_ pattern: String) throws -> NSRegularExpression {
        if let known = cache.withLock({ $0[pattern] }) { return known }
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            cache.withLock { $0[pattern] = regex }
            return regex
        } catch {
            throw ScalarEvaluator.failure("invalid regular expression '\(pattern)'")
        }
    }
}

extension NSRegularExpression: @retroactive @unchecked Sendable {}

/// A LIKE pattern, compiled: `%` any run, `_` one code point, an optional escape character.
/// Case-sensitive, as in Trino.
struct LikePattern: Sendable {
    enum Piece: Sendable { case literal([Unicode.Scalar]), anyOne, anyRun }
    let pieces: [Piece]
    /// The pattern without wildcards is an equality; with only a trailing % a prefix test.
    let exact: String?
    let prefix: String?

    init(_ pattern: String, escape: Character?) throws {
        var pieces: [Piece] = []
        var literal: [Unicode.Scalar] = []
        var escaping = false
        let escapeScalar = escape?.unicodeScalars.first
        for scalar in pattern.unicodeScalars {
            if escaping {
                guard scalar == "%" || scalar == "_" || scalar == escapeScalar else {
                    throw ScalarEvaluator.failure("Escape character must be followed by '%', '_' or the escape character itself")
                }
                literal.append(scalar)
                escaping = false
                continue
            }
            if let escapeScalar, scalar == escapeScalar { escaping = true; continue }
            if scalar == "%" || scalar == "_" {
                if !literal.isEmpty { pieces.append(.literal(literal)); literal = [] }
                pieces.append(scalar == "%" ? .anyRun : .anyOne)
            } else {
                literal.append(scalar)
            }
        }
        if escaping { throw ScalarEvaluator.failure("Escape character must be followed by '%', '_' or the escape character itself") }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        self.pieces = pieces
        if pieces.count == 1, case .literal(let l) = pieces[0] {
            exact = String(String.UnicodeScalarView(l))
        } else {
            exact = pieces.isEmpty ? "" : nil
        }
        if pieces.count == 2, case .literal(let l) = pieces[0], case .anyRun = pieces[1] {
            prefix = String(String.UnicodeScalarView(l))
        } else {
            prefix = nil
        }
    }

    func matches(_ text: String) -> Bool {
        if let exact { return text == exact }
        if let prefix { return text.hasPrefix(prefix) }
        let scalars = Array(text.unicodeScalars)
        return Self.match(pieces[...], scalars[...])
    }

    private static func match(_ pieces: ArraySlice<Piece>, _ text: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pieces.first else { return text.isEmpty }
        let rest = pieces.dropFirst()
        switch first {
        case .literal(let l):
            guard text.count >= l.count, text.prefix(l.count).elementsEqual(l) else { return false }
            return match(rest, text.dropFirst(l.count))
        case .anyOne:
            guard !text.isEmpty else { return false }
            return match(rest, text.dropFirst())
        case .anyRun:
            if rest.isEmpty { return true }
            var remaining = text
            while true {
                if match(rest, remaining) { return true }
                if remaining.isEmpty { return false }
                remaining = remaining.dropFirst()
            }
        }
    }

    private static let cache = Mutex<[String: LikePattern]>([:])

    /// The compiled pattern, compiled once per query text.
    static func cached(_ pattern: String, escape: Character?) throws -> LikePattern {
        let key = pattern + "\u{0}" + (escape.map(String.init) ?? "")
        if let known = cache.withLock({ $0[key] }) { return known }
        let compiled = try LikePattern(pattern, escape: escape)
        cache.withLock { $0[key] = compiled }
        return compiled
    }
}

/// `json_extract_scalar` on text.
enum JSONScalar {
    static func extract(_ json: String, path: String) -> String? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        var current: Any = object
        for key in JSONPath.keys(path) ?? [] {
            guard let dictionary = current as? [String: Any], let next = dictionary[key] else { return nil }
            current = next
        }
        switch current {
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
