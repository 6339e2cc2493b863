import FlowIngest
import Foundation

/// The functions flowq adds to every SQLite connection it queries with: what SQLite lacks for
/// Trino's semantics (address text, split_part, regexp_like, ...), and the merge aggregates.
enum SQLFunctions {
    /// Registers the functions and the connection settings queries rely on.
    static func prepare(_ database: Database) throws(SQLiteError) {
        // Trino's LIKE is case-sensitive; SQLite's is not unless told.
        try database.execute("PRAGMA case_sensitive_like = ON")
        try database.createAddressTextFunction("fq_ip")
        try database.createFunction("fq_ip_parse", argumentCount: 1) { args in
            guard case .text(let text) = args[0], let address = IPAddress(text) else { return .null }
            switch address {
            case .v4(let v): return .integer(Int64(v))
            case .v6(let b): return .blob(b)
            }
        }
        try database.createSplitPartFunction("fq_split_part")
        try database.createFunction("fq_fmod", argumentCount: 2) { args in
            guard let a = args[0].doubleValue, let b = args[1].doubleValue, b != 0 else { return .null }
            return .real(fmod(a, b))
        }
        try database.createFunction("fq_floor", argumentCount: 1) { args in
            args[0].doubleValue.map { .real(Foundation.floor($0)) } ?? .null
        }
        try database.createFunction("fq_ceil", argumentCount: 1) { args in
            args[0].doubleValue.map { .real(Foundation.ceil($0)) } ?? .null
        }
        try database.createFunction("fq_floor_to", argumentCount: 2) { args in
            guard let t = args[0].doubleValue, let unit = args[1].integerValue, unit > 0 else { return .null }
            return .integer(Int64((t / Double(unit)).rounded(.down)) * unit)
        }
        // Integer arithmetic as Trino does it: overflow and division by zero are errors (SQLite
        // would turn an overflow into a double and a division by zero into NULL).
        try database.createIntegerFunction("fq_iadd") { a, b in
            let (value, overflow) = a.addingReportingOverflow(b)
            return overflow ? .failure(FunctionFailure("bigint addition overflow: \(a) + \(b)")) : .success(value)
        }
        try database.createIntegerFunction("fq_isub") { a, b in
            let (value, overflow) = a.subtractingReportingOverflow(b)
            return overflow ? .failure(FunctionFailure("bigint subtraction overflow: \(a) - \(b)")) : .success(value)
        }
        try database.createIntegerFunction("fq_imul") { a, b in
            let (value, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? .failure(FunctionFailure("bigint multiplication overflow: \(a) * \(b)")) : .success(value)
        }
        try database.createIntegerFunction("fq_idiv") { a, b in
            guard b != 0 else { return .failure(FunctionFailure("Division by zero")) }
            let (value, overflow) = a.dividedReportingOverflow(by: b)
            return overflow ? .failure(FunctionFailure("bigint division overflow: \(a) / \(b)")) : .success(value)
        }
        try database.createIntegerFunction("fq_imod") { a, b in
            guard b != 0 else { return .failure(FunctionFailure("Division by zero")) }
            return .success(b == -1 ? 0 : a % b)
        }
        try database.createFunction("fq_ddiv", argumentCount: 2) { args in
            // IEEE division: x / 0.0 is Infinity or NaN in Trino, not NULL.
            guard let a = args[0].doubleValue, let b = args[1].doubleValue else { return .null }
            let value = a / b
            return value.isNaN ? .text("NaN") : .real(value)
        }
        try database.createFunction("fq_to_double", argumentCount: 2) { args in
            switch args[0] {
            case .null: return .null
            case .integer(let v): return .real(Double(v))
            case .real: return args[0]
            case .text(let text):
                if let value = Self.double(text) { return value.isNaN ? .text("NaN") : .real(value) }
                if args[1].integerValue == 1 { return .null }
                throw FunctionError("Cannot cast '\(text)' to DOUBLE")
            case .blob: throw FunctionError("Cannot cast a blob to DOUBLE")
            }
        }
        try database.createFunction("fq_double_to_integer", argumentCount: 2) { args in
            guard let value = args[0].doubleValue else { return .null }
            // Trino rounds half away from zero and refuses what does not fit.
            let rounded = value.rounded(.toNearestOrAwayFromZero)
            if rounded.isFinite, rounded >= -9.223372036854775808e18, rounded < 9.223372036854775808e18 { return .integer(Int64(rounded)) }
            if args[1].integerValue == 1 { return .null }
            throw FunctionError("Unable to cast \(ValueText.formatDouble(value)) to bigint: out of range")
        }
        try database.createFunction("fq_double_text", argumentCount: 1) { args in
            args[0].doubleValue.map { .text(String($0)) } ?? .null
        }
        try database.createFunction("fq_to_integer", argumentCount: 2) { args in
            guard case .text(let text) = args[0] else { return args[0].integerValue.map(SQLiteValue.integer) ?? .null }
            if let value = Int64(text.trimmingCharacters(in: .whitespaces)) { return .integer(value) }
            if args[1].integerValue == 1 { return .null }
            throw FunctionError("Cannot cast '\(text)' to BIGINT")
        }
        try database.createFunction("fq_iso_week", argumentCount: 1) { args in
            guard let t = args[0].doubleValue else { return .null }
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            return .integer(Int64(calendar.component(.weekOfYear, from: Date(timeIntervalSince1970: t))))
        }
        // Trino's json_extract_scalar: the scalar at `path` as text; NULL for a missing path, an
        // object or an array, and for text that is not JSON.
        try database.createFunction("fq_json_scalar", argumentCount: 2) { args in
            guard case .text(let json) = args[0], case .text(let path) = args[1] else { return .null }
            guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return .null }
            var current: Any = object
            for key in JSONPath.keys(path) ?? [] {
                guard let dictionary = current as? [String: Any], let next = dictionary[key] else { return .null }
                current = next
            }
            switch current {
            case let text as String: return .text(text)
            case let number as NSNumber: return .text(number.stringValue)
            default: return .null
            }
        }
        let patterns = RegexCache()
        try database.createFunction("fq_regexp_like", argumentCount: 2) { args in
            guard case .text(let text) = args[0], case .text(let pattern) = args[1] else { return .null }
            let regex = try patterns.regex(pattern)
            let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            return .integer(found ? 1 : 0)
        }
        try database.createAggregate("fq_distinct_count", argumentCount: 1, DistinctCount.self)
        try database.createAggregate("fq_distinct_array", argumentCount: 1, DistinctArray.self)
        try database.createAggregate("fq_array_concat", argumentCount: 1, ArrayConcat.self)
    }
}

extension SQLFunctions {
    /// Text read as a double the way Trino's CAST reads it: surrounding blanks allowed,
    /// `NaN` and `Infinity` spelled out; nil for anything else.
    static func double(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed {
        case "NaN": return .nan
        case "Infinity", "+Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: break
        }
        // Swift's parser also takes "inf", "nan" and hex floats; Trino does not.
        guard !trimmed.isEmpty, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E || $0 == 0x2B || $0 == 0x2D || $0 == 0x65 || $0 == 0x45 }) else { return nil }
        return Double(trimmed)
    }
}

/// An error raised inside a SQL function; its text becomes SQLite's error message.
struct FunctionError: Error, LocalizedError {
    let message: String
    init(_ message: String) { self.message = message }
    var errorDescription: String? { message }
}

/// The keys of a simple JSON path: `$.a.b`, `$["a-b"]`, `$.a["b"]`.
enum JSONPath {
    static func keys(_ path: String) -> [String]? {
        var keys: [String] = []
        var rest = Substring(path)
        guard rest.first == "$" else { return nil }
        rest = rest.dropFirst()
        while let first = rest.first {
            if first == "." {
                rest = rest.dropFirst()
                let key = rest.prefix { $0 != "." && $0 != "[" }
                guard !key.isEmpty else { return nil }
                keys.append(String(key))
                rest = rest.dropFirst(key.count)
            } else if rest.hasPrefix("[\"") {
                rest = rest.dropFirst(2)
                guard let end = rest.firstIndex(of: "\"") else { return nil }
                keys.append(String(rest[..<end]))
                rest = rest[rest.index(after: end)...]
                guard rest.first == "]" else { return nil }
                rest = rest.dropFirst()
            } else {
                return nil
            }
        }
        return keys
    }
}

/// Compiled patterns for `regexp_like`, per connection.
private final class RegexCache {
    private var cache: [String: NSRegularExpression] = [:]

    func regex(_ pattern: String) throws -> NSRegularExpression {
        if let regex = cache[pattern] { return regex }
        do {
            let regex = try NSRegularExpression(pattern: pattern)
            cache[pattern] = regex
            return regex
        } catch {
            throw FunctionError("invalid regular expression '\(pattern)'")
        }
    }
}

/// Merges partitions' distinct-value arrays and counts the union (NULL is not counted).
final class DistinctCount: SQLiteAggregate {
    private var values = Set<SQLiteValue>()
    required init() {}
    func step(_ arguments: [SQLiteValue]) throws {
        guard case .text(let text) = arguments[0] else { return }
        guard let elements = JSONArrayText.parse(text) else { throw FunctionError("bad partial array") }
        for element in elements where !element.isNull { values.insert(element) }
    }
    func finish() throws -> SQLiteValue { .integer(Int64(values.count)) }
}

/// Merges partitions' distinct-value arrays into one sorted array without repeats.
final class DistinctArray: SQLiteAggregate {
    private var values = Set<SQLiteValue>()
    private var sawRow = false
    required init() {}
    func step(_ arguments: [SQLiteValue]) throws {
        guard case .text(let text) = arguments[0] else { return }
        guard let elements = JSONArrayText.parse(text) else { throw FunctionError("bad partial array") }
        sawRow = sawRow || !elements.isEmpty
        values.formUnion(elements)
    }
    func finish() throws -> SQLiteValue {
        // Trino's array_agg over no rows is NULL, not an empty array.
        sawRow ? .text(JSONArrayText.write(values.sorted())) : .null
    }
}

/// Concatenates partitions' arrays (array_agg without DISTINCT), in partition order.
final class ArrayConcat: SQLiteAggregate {
    private var values: [SQLiteValue] = []
    required init() {}
    func step(_ arguments: [SQLiteValue]) throws {
        guard case .text(let text) = arguments[0] else { return }
        guard let elements = JSONArrayText.parse(text) else { throw FunctionError("bad partial array") }
        values.append(contentsOf: elements)
    }
    func finish() throws -> SQLiteValue { values.isEmpty ? .null : .text(JSONArrayText.write(values)) }
}
