import FlowModel
import Foundation

/// Where names are bound: over a partition's rows, or over groups after aggregation.
protocol BindScope {
    /// The bound form of a column reference.
    func column(_ name: String, table: String?, at location: SourceLocation, in binder: Binder) throws(QueryError) -> Bound
    /// A replacement for a whole expression (a GROUP BY key, an aggregate), if this scope has one.
    func substitute(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound?
    /// An aggregate call, or an error saying aggregates are not allowed here.
    func aggregate(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound
}

/// Binds over the rows of the table: stored columns and the partition columns.
struct RowBindScope: BindScope {
    let schema: TableSchema
    /// Names the clause for "aggregate functions are not allowed in WHERE".
    let clause: String

    /// The parser has checked the qualifier: a query of one table has only its name or alias.
    func column(_ name: String, table: String?, at location: SourceLocation, in binder: Binder) throws(QueryError) -> Bound {
        guard let column = schema.column(named: name) else {
            let hint = schema.hint(forUnknown: name)
            throw QueryError(.unknownName, "unknown column '\(name)'", at: location, hint: hint)
        }
        switch column.source {
        case .partitionDate: return Bound(.partitionDate, type: .date)
        case .partitionSlashed: return Bound(.partitionSlashed, type: .varchar, isPartitionDay: true)
        case .stored(let encoding): return Bound(.column(column.name), type: column.type, form: encoding == .address ? .address : .plain)
        }
    }

    func substitute(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound? { nil }

    func aggregate(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound {
        if case .function(let name, _, _, _, let at) = expression {
            throw QueryError(.syntax, "aggregate function \(name)() is not allowed in \(clause)", at: at)
        }
        throw QueryError(.syntax, "aggregate functions are not allowed in \(clause)", at: expression.location)
    }
}

/// Binds over groups: GROUP BY keys and aggregates are values of the group; any other column
/// reference is an error, as in Trino.
struct GroupBindScope: BindScope {
    struct Key {
        var fingerprint: String
        var bound: Bound
        /// The column name (qualified in a join) when the key is a bare column.
        var columnName: String?

        /// How a key names a column: `srcaddr`, or `f.srcaddr` in a join.
        static func columnName(_ name: String, table: String?) -> String {
            (table.map { $0.lowercased() + "." } ?? "") + name.lowercased()
        }
    }

    let keys: [Key]
    /// Aggregate fingerprint -> its index and bound result.
    let aggregates: [String: (index: Int, bound: Bound)]
    /// The scope of the rows, which says whether a name exists at all.
    let rows: BindScope

    func column(_ name: String, table: String?, at location: SourceLocation, in binder: Binder) throws(QueryError) -> Bound {
        let wanted = Key.columnName(name, table: table)
        if let (index, key) = keys.enumerated().first(where: { $0.element.columnName == wanted }) {
            return Bound(.groupKey(index), type: key.bound.type, form: key.bound.form, isPartitionDay: key.bound.isPartitionDay)
        }
        _ = try rows.column(name, table: table, at: location, in: binder)
        let shown = table.map { "\($0).\(name)" } ?? name
        throw QueryError(.syntax, "'\(shown)' must be an aggregate expression or appear in the GROUP BY clause", at: location)
    }

    func substitute(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound? {
        let fingerprint = expression.fingerprint
        if let index = keys.firstIndex(where: { $0.fingerprint == fingerprint }) {
            let key = keys[index].bound
            return Bound(.groupKey(index), type: key.type, form: key.form, isPartitionDay: key.isPartitionDay)
        }
        if expression.isAggregateCall, let found = aggregates[fingerprint] {
            return Bound(.aggregate(found.index), type: found.bound.type, form: found.bound.form)
        }
        return nil
    }

    func aggregate(_ expression: Expression, in binder: Binder) throws(QueryError) -> Bound {
        if let found = aggregates[expression.fingerprint] { return Bound(.aggregate(found.index), type: found.bound.type, form: found.bound.form) }
        throw QueryError(.syntax, "aggregate calls cannot be nested", at: expression.location)
    }
}

/// Turns parsed expressions into bound ones with Trino's types and semantics, once per query.
///
/// Types are checked as Trino checks them (`dstport = 'abc'` is an error, not an empty
/// answer); constants fold, and fail where Trino fails (overflow, division by zero); a literal
/// compared with an address column becomes an address, with a date column a date.
package final class Binder {
    let scope: BindScope
    /// "Today" for `current_date`, fixed per query.
    let today: PartitionDay
    /// "Now" for `current_timestamp`, milliseconds, fixed per query.
    let now: Int64
    /// AWS's address ranges, for `aws_service()` and `aws_region()` (nil: the store has none).
    let inventory: InventorySource?

    init(scope: BindScope, today: PartitionDay, now: Int64, inventory: InventorySource? = nil) {
        self.scope = scope
        self.today = today
        self.now = now
        self.inventory = inventory
    }

    /// A binder over another scope, same clock and inventory.
    func with(_ scope: BindScope) -> Binder {
        Binder(scope: scope, today: today, now: now, inventory: inventory)
    }

    /// Binds `expression`.
    func bind(_ expression: Expression) throws(QueryError) -> Bound {
        if let substituted = try scope.substitute(expression, in: self) { return substituted }
        switch expression {
        case .column(let name, _, let table, let at):
            return try scope.column(name, table: table, at: at, in: self)
        case .integer(let value, _):
            return .literal(.int(value), .integer)
        case .decimal(let text, let at):
            guard let value = Double(text) else { throw QueryError(.syntax, "'\(text)' is not a number", at: at) }
            return .literal(.double(value), .double)
        case .string(let text, _):
            return .literal(.string(text), .varchar)
        case .boolean(let value, _):
            return .literal(.int(value ? 1 : 0), .boolean)
        case .null:
            return .null
        case .typedLiteral(let type, let value, let at):
            return try typedLiteral(type: type, value: value, at: at)
        case .interval(let value, let unit, let at):
            guard let amount = Int64(value.trimmingCharacters(in: .whitespaces)) else {
                throw QueryError(.type, "interval '\(value)' needs a whole number", at: at)
            }
            return try interval(amount: amount, unit: unit, at: at)
        case .keywordFunction(let name, let at):
            switch name.lowercased() {
            case "current_date": return .literal(.int(Int64(today.dayNumber)), .date)
            case "current_timestamp", "localtimestamp", "now": return .literal(.int(now), .timestamp)
            default: throw QueryError(.unknownName, "unknown function \(name)", at: at)
            }
        case .unary(let op, let operand, let at):
            return try unary(op, operand, at: at)
        case .binary(let op, let left, let right, let at):
            return try binary(op, left, right, at: at)
        case .between(let value, let low, let high, let negated, let at):
            // x BETWEEN a AND b is x >= a AND x <= b on the values the query sees.
            let v = try bind(value)
            let lower = try compare(v, try bind(low), .greaterOrEqual, at: low.location)
            let upper = try compare(v, try bind(high), .lessOrEqual, at: high.location)
            let both = try fold(.and, [lower, upper], .boolean)
            return negated ? try fold(.not, [both], .boolean) : both
        case .inList(let value, let items, let negated, let at):
            return try inList(try bind(value), items, negated: negated, at: at)
        case .like(let value, let pattern, let escape, let negated, let at):
            let v = text(try bind(value)), p = try bind(pattern)
            guard v.type == .varchar || v.type == .unknown, p.type == .varchar || p.type == .unknown else {
                throw QueryError(.type, "LIKE needs varchar values, not \(v.type) LIKE \(p.type)", at: at)
            }
            var arguments = [v, text(p)]
            if let escape { arguments.append(text(try bind(escape))) }
            return try fold(.like(negated: negated), arguments, .boolean)
        case .isNull(let value, let negated, _):
            return try fold(negated ? .isNotNull : .isNull, [try bind(value)], .boolean)
        case .function(let name, _, _, _, _) where AggregateFunctions.isAggregate(name):
            return try scope.aggregate(expression, in: self)
        case .function(let name, let arguments, let distinct, let star, let at):
            guard !distinct, !star else {
                throw QueryError(.syntax, "\(distinct ? "DISTINCT" : "*") is only allowed in aggregate functions, not in \(name)()", at: at)
            }
            return try function(name, arguments, at: at)
        case .cast(let value, let type, let isTry, let at):
            return try cast(value, to: type, isTry: isTry, at: at)
        case .caseWhen(let operand, let branches, let otherwise, let at):
            return try caseWhen(operand, branches, otherwise, at: at)
        }
    }

    /// Binds `expression` and requires a boolean (or NULL) result.
    func condition(_ expression: Expression, clause: String) throws(QueryError) -> Bound {
        let b = try bind(expression)
        guard b.type == .boolean || b.type == .unknown else {
            throw QueryError(.type, "\(clause) needs a boolean condition, but this expression is \(b.type)", at: expression.location)
        }
        return b
    }

    // MARK: Forms

    /// The value as text when it is a date, a boolean or an address (what string functions and
    /// text comparisons see); text and NULL pass through.
    func text(_ b: Bound) -> Bound {
        if b.form == .address || b.type == .date || b.type == .ipaddress {
            return (try? fold(.toText, [b], .varchar)) ?? Bound.call(.toText, [b], .varchar)
        }
        return b
    }

    /// The value as a query shows it outside comparisons: addresses as text, the rest as is.
    func decoded(_ b: Bound) -> Bound {
        b.form == .address && b.type == .varchar ? text(b) : b
    }

    // MARK: Literals

    private func typedLiteral(type: String, value: String, at: SourceLocation) throws(QueryError) -> Bound {
        switch type {
        case "date":
            guard let day = PartitionDay(value.trimmingCharacters(in: .whitespaces)) else {
                throw QueryError(.type, "'\(value)' is not a date; write DATE 'YYYY-MM-DD'", at: at)
            }
            return .literal(.int(Int64(day.dayNumber)), .date)
        case "timestamp":
            guard let seconds = Timestamps.parse(value) else {
                throw QueryError(.type, "'\(value)' is not a timestamp; write TIMESTAMP 'YYYY-MM-DD HH:MM:SS'", at: at)
            }
            return .literal(.int(Int64((seconds * 1000).rounded())), .timestamp)
        default:
            throw QueryError(.unsupported, "\(type.uppercased()) literals are not supported (DATE and TIMESTAMP are)", at: at)
        }
    }

    /// `amount` units as an interval: seconds, or months for months and years.
    func interval(amount: Int64, unit: String, at: SourceLocation) throws(QueryError) -> Bound {
        let (seconds, months) = try intervalParts(amount: amount, unit: unit, at: at)
        return Bound(.constant, type: .interval, constant: .array([.int(seconds), .int(months)]))
    }

    func intervalParts(amount: Int64, unit: String, at: SourceLocation) throws(QueryError) -> (Int64, Int64) {
        func scaled(_ factor: Int64) throws(QueryError) -> Int64 {
            let (value, overflow) = amount.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw QueryError(.execution, "interval '\(amount)' \(unit) is out of range", at: at) }
            return value
        }
        switch unit.lowercased().trimmingSuffix("s") {
        case "second": return (amount, 0)
        case "minute": return (try scaled(60), 0)
        case "hour": return (try scaled(3600), 0)
        case "day": return (try scaled(86_400), 0)
        case "week": return (try scaled(7 * 86_400), 0)
        case "month": return (0, amount)
        case "year": return (0, try scaled(12))
        default: throw QueryError(.unsupported, "interval unit '\(unit)' is not supported (second, minute, hour, day, week, month, year are)", at: at)
        }
    }

    // MARK: Folding

    /// A call, folded to a constant when every argument is constant (and the function is not
    /// one whose failure must wait for a row, which none here is: Trino fails on constants too).
    func fold(_ function: BoundFunction, _ arguments: [Bound], _ type: SQLType, form: Bound.Form = .plain) throws(QueryError) -> Bound {
        let call = Bound.call(function, arguments, type, form: form)
        guard arguments.allSatisfy({ $0.constant != nil }) else { return call }
        do {
            let value = try ScalarEvaluator.evaluate(call, row: [], pools: nil)
            return Bound(.constant, type: value.isNull && type == .unknown ? .unknown : type, form: form, constant: value)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError(.execution, error.localizedDescription)
        }
    }

    // MARK: Operators

    private func unary(_ op: UnaryOperator, _ operand: Expression, at: SourceLocation) throws(QueryError) -> Bound {
        let b = try bind(operand)
        switch op {
        case .not:
            guard b.type == .boolean || b.type == .unknown else {
                throw QueryError(.type, "NOT needs a boolean, not \(b.type)", at: at)
            }
            return try fold(.not, [b], .boolean)
        case .negate, .plus:
            guard b.type.isNumeric || b.type == .unknown || b.type == .interval else {
                throw QueryError(.type, "cannot apply '\(op.rawValue)' to \(b.type)", at: at)
            }
            if op == .plus { return b }
            if b.type == .interval, case .array(let parts)? = b.constant, parts.count == 2 {
                return Bound(.constant, type: .interval, constant: .array([.int(-(parts[0].int ?? 0)), .int(-(parts[1].int ?? 0))]))
            }
            return try withLocation(at) { () throws(QueryError) in try fold(.negate, [b], b.type == .unknown ? .integer : b.type) }
        }
    }

    /// Runs `body`, giving an execution error raised by folding the location `at`.
    private func withLocation(_ at: SourceLocation, _ body: () throws(QueryError) -> Bound) throws(QueryError) -> Bound {
        do {
            return try body()
        } catch {
            var located = error
            if located.location == nil { located.location = at }
            throw located
        }
    }

    private func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, at: SourceLocation) throws(QueryError) -> Bound {
        switch op {
        case .and, .or:
            let l = try condition(left, clause: op.rawValue), r = try condition(right, clause: op.rawValue)
            return try fold(op == .and ? .and : .or, [l, r], .boolean)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return try compare(try bind(left), try bind(right), Comparison(op) ?? .equal, at: at)
        case .concat:
            let l = text(try bind(left)), r = text(try bind(right))
            for side in [l, r] where !(side.type == .varchar || side.type == .unknown) {
                throw QueryError(.type, "|| joins varchar values, not \(side.type); use CAST(x AS varchar)", at: at)
            }
            return try fold(.concat, [l, r], .varchar)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(op, try bind(left), try bind(right), at: at)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ l: Bound, _ r: Bound, at: SourceLocation) throws(QueryError) -> Bound {
        // Date and time arithmetic with intervals.
        if (op == .add || op == .subtract), r.type == .interval, l.type == .date || l.type == .timestamp {
            return try shift(l, by: r, subtract: op == .subtract, at: at)
        }
        if op == .add, l.type == .interval, r.type == .date || r.type == .timestamp {
            return try shift(r, by: l, subtract: false, at: at)
        }
        guard (l.type.isNumeric || l.type == .unknown) && (r.type.isNumeric || r.type == .unknown) else {
            throw QueryError(.type, "cannot apply '\(op.rawValue)' to \(l.type) and \(r.type)", at: at)
        }
        let type: SQLType = l.type == .double || r.type == .double ? .double : .integer
        let function: BoundFunction
        switch op {
        case .add: function = .add
        case .subtract: function = .subtract
        case .multiply: function = .multiply
        case .divide: function = .divide
        default: function = .modulo
        }
        return try withLocation(at) { () throws(QueryError) in try fold(function, [l, r], type) }
    }

    /// A date or timestamp moved by a constant interval.
    func shift(_ value: Bound, by interval: Bound, subtract: Bool, at: SourceLocation) throws(QueryError) -> Bound {
        guard case .array(let parts)? = interval.constant, parts.count == 2, var seconds = parts[0].int, var months = parts[1].int else {
            throw QueryError(.unsupported, "only constant intervals (interval '7' day) can be added to dates and times", at: at)
        }
        if subtract { seconds = -seconds; months = -months }
        if value.type == .date {
            guard seconds % 86_400 == 0 else {
                throw QueryError(.type, "cannot add hours, minutes or seconds to a date; use a timestamp (from_unixtime(start))", at: at)
            }
            return try fold(.shiftDate(days: seconds / 86_400, months: months), [value], .date)
        }
        return try fold(.shiftTimestamp(seconds: seconds, months: months), [value], .timestamp)
    }

    // MARK: Comparisons

    /// `l op r` with both sides brought to one type, as Trino compares them.
    func compare(_ l: Bound, _ r: Bound, _ op: Comparison, at: SourceLocation) throws(QueryError) -> Bound {
        let (a, b) = try comparable(l, r, at: at, op: op)
        return try fold(.compare(op), [a, b], .boolean)
    }

    /// Brings two sides of a comparison to one representation, checking their types.
    ///
    /// A string literal compared with a date or timestamp is read as one; with `day` /
    /// `date_partition`, a date in either spelling is normalised to `YYYY/MM/DD`. A literal
    /// compared with an address column becomes an address for `=` and `<>`; ordering
    /// comparisons of addresses use text, as Athena's varchar columns do.
    func comparable(_ l: Bound, _ r: Bound, at: SourceLocation, op: Comparison = .equal) throws(QueryError) -> (Bound, Bound) {
        var l = l, r = r
        if let coerced = try coerceLiteral(r, toMatch: l, at: at) { r = coerced }
        if let coerced = try coerceLiteral(l, toMatch: r, at: at) { l = coerced }
        if l.type == .date && r.type == .timestamp { l = try fold(.dateToTimestamp, [l], .timestamp) }
        if r.type == .date && l.type == .timestamp { r = try fold(.dateToTimestamp, [r], .timestamp) }
        guard l.type.isComparable(with: r.type) else {
            var hint: String? = nil
            if l.type.isNumeric, case .string(let text)? = r.constant, Int64(text) != nil { hint = "write \(text) without quotes" }
            if r.type.isNumeric, case .string(let text)? = l.constant, Int64(text) != nil { hint = "write \(text) without quotes" }
            throw QueryError(.type, "cannot compare \(l.type) with \(r.type)", at: at, hint: hint)
        }
        let equality = op == .equal || op == .notEqual
        switch (l.form, r.form) {
        case (.plain, .plain):
            return (l, r)
        case (.address, .address) where equality:
            return (l, r)
        case (.address, .plain) where equality:
            if let encoded = addressLiteral(r) { return (l, encoded) }
        case (.plain, .address) where equality:
            if let encoded = addressLiteral(l) { return (encoded, r) }
        default:
            break
        }
        return (text(l), text(r))
    }

    /// A text literal as an address code of the same form: text that is no address matches no
    /// address (a constant that equals nothing), compared as text.
    private func addressLiteral(_ b: Bound) -> Bound? {
        guard case .string(let text)? = b.constant else { return b.constant == .null ? b : nil }
        guard let address = IPAddress(text) else { return nil }
        return Bound(.constant, type: b.type == .unknown ? .varchar : b.type, form: .address, constant: .address(address))
    }

    /// A string literal read as the date or timestamp it is compared with, or normalised to
    /// `YYYY/MM/DD` when compared with a `day`-style column.
    private func coerceLiteral(_ b: Bound, toMatch other: Bound, at: SourceLocation) throws(QueryError) -> Bound? {
        guard case .string(let text)? = b.constant else { return nil }
        switch other.type {
        case .date:
            guard let day = PartitionDay(text) else {
                throw QueryError(.type, "'\(text)' is not a date (write 2024-01-05 or 2024/01/05)", at: at)
            }
            return .literal(.int(Int64(day.dayNumber)), .date)
        case .timestamp:
            guard let seconds = Timestamps.parse(text) else {
                throw QueryError(.type, "'\(text)' is not a timestamp (write 2024-01-05 10:00:00)", at: at)
            }
            return .literal(.int(Int64((seconds * 1000).rounded())), .timestamp)
        case .varchar where other.isPartitionDay:
            if let day = PartitionDay(text) { return .literal(.string(day.slashedText), .varchar) }
            return nil
        default:
            return nil
        }
    }

    private func inList(_ value: Bound, _ items: [Expression], negated: Bool, at: SourceLocation) throws(QueryError) -> Bound {
        var bound: [Bound] = []
        for item in items { bound.append(try bind(item)) }
        // Constant lists (the usual case) become one membership test.
        var left = value
        var constants: [Value] = []
        var allConstant = true
        for (index, item) in bound.enumerated() {
            let (l, r) = try comparable(value, item, at: items[index].location)
            if index == 0 { left = l }
            guard l.form == left.form, l.type == left.type || left.type == .unknown, let constant = r.constant else {
                allConstant = false
                break
            }
            constants.append(constant)
        }
        if allConstant {
            return try fold(.inList(constants, negated: negated), [left], .boolean)
        }
        // Otherwise an OR of comparisons, evaluated as a chain (not a deep tree).
        var any: Bound? = nil
        for (index, item) in bound.enumerated() {
            let test = try compare(value, item, .equal, at: items[index].location)
            any = try any.map { existing throws(QueryError) in try fold(.or, [existing, test], .boolean) } ?? test
        }
        guard let any else { return .literal(.int(negated ? 1 : 0), .boolean) }
        return negated ? try fold(.not, [any], .boolean) : any
    }

    // MARK: CAST and CASE

    private func cast(_ value: Expression, to typeName: String, isTry: Bool, at: SourceLocation) throws(QueryError) -> Bound {
        let b = try bind(value)
        let base = typeName.split(separator: "(").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? typeName
        return try withLocation(at) { () throws(QueryError) in
            switch base {
            case "ipaddress":
                if b.form == .address { return Bound(b.node, type: .ipaddress, form: .address, constant: b.constant) }
                if case .string(let text)? = b.constant {
                    guard let address = IPAddress(text) else {
                        if isTry { return Bound(.constant, type: .ipaddress, form: .address, constant: .null) }
                        throw QueryError(.type, "'\(text)' is not an IP address", at: at)
                    }
                    return Bound(.constant, type: .ipaddress, form: .address, constant: .address(address))
                }
                let d = decoded(b)
                guard d.type == .varchar || d.type == .unknown else { throw QueryError(.type, "cannot cast \(d.type) to ipaddress", at: at) }
                return try fold(.castToIPAddress(isTry: isTry), [d], .ipaddress, form: .address)
            case "varchar", "char", "string":
                let d = decoded(b)
                if d.type == .varchar || d.type == .unknown { return d }
                return try fold(.toText, [d], .varchar)
            case "bigint", "integer", "int", "smallint", "tinyint":
                let d = decoded(b)
                if d.type == .integer { return d }
                return try fold(.castToBigint(isTry: isTry), [d], .integer)
            case "double", "real", "float", "decimal":
                let d = decoded(b)
                if d.type == .double { return d }
                return try fold(.castToDouble(isTry: isTry), [d], .double)
            case "date":
                return try toDate(b, at: at)
            case "timestamp":
                if b.type == .date { return try fold(.dateToTimestamp, [b], .timestamp) }
                if case .string(let text)? = b.constant, let seconds = Timestamps.parse(text) {
                    return .literal(.int(Int64((seconds * 1000).rounded())), .timestamp)
                }
                if b.type == .timestamp { return b }
                throw QueryError(.unsupported, "CAST to timestamp takes a date or a timestamp literal; use from_unixtime() for numbers", at: at)
            case "boolean":
                return try fold(.castToBoolean, [b], .boolean)
            default:
                throw QueryError(.unsupported, "CAST to \(typeName) is not supported", at: at)
            }
        }
    }

    /// `date(x)` / `CAST(x AS date)`.
    func toDate(_ b: Bound, at: SourceLocation) throws(QueryError) -> Bound {
        switch b.type {
        case .date:
            return b
        case .timestamp:
            return try fold(.timestampToDate, [b], .date)
        case .varchar, .unknown:
            if case .string(let text)? = b.constant {
                guard let day = PartitionDay(text.trimmingCharacters(in: .whitespaces)) else {
                    throw QueryError(.type, "'\(text)' is not a date (write 2024-01-05)", at: at)
                }
                return .literal(.int(Int64(day.dayNumber)), .date)
            }
            return try fold(.textToDate, [decoded(b)], .date)
        default:
            throw QueryError(.type, "cannot convert \(b.type) to a date", at: at)
        }
    }

    private func caseWhen(_ operand: Expression?, _ branches: [CaseBranch], _ otherwise: Expression?, at: SourceLocation) throws(QueryError) -> Bound {
        var bound: [(condition: Bound, result: Bound)] = []
        var results: [Bound] = []
        let subject = try operand.map { e throws(QueryError) in try bind(e) }
        for branch in branches {
            let condition: Bound
            if let subject {
                condition = try compare(subject, try bind(branch.condition), .equal, at: branch.condition.location)
            } else {
                condition = try self.condition(branch.condition, clause: "WHEN")
            }
            let result = decoded(try bind(branch.result))
            results.append(result)
            bound.append((condition, result))
        }
        let other = try otherwise.map { e throws(QueryError) in decoded(try bind(e)) }
        if let other { results.append(other) }
        var resultType: SQLType = .unknown
        for result in results where result.type != .unknown {
            if resultType == .unknown { resultType = result.type; continue }
            if resultType.isNumeric && result.type.isNumeric {
                if result.type == .double { resultType = .double }
                continue
            }
            guard resultType == result.type else {
                throw QueryError(.type, "CASE branches have different types (\(resultType) and \(result.type))", at: at)
            }
        }
        // Constant conditions fold: the first that holds decides.
        var remaining: [(condition: Bound, result: Bound)] = []
        for branch in bound {
            if case .int(let v)? = branch.condition.constant, remaining.isEmpty {
                if v != 0 { return widen(branch.result, to: resultType) }
                continue
            }
            if branch.condition.constant?.isNull == true && remaining.isEmpty { continue }
            remaining.append((branch.condition, widen(branch.result, to: resultType)))
        }
        let otherwiseBound = other.map { widen($0, to: resultType) }
        if remaining.isEmpty { return otherwiseBound ?? Bound(.constant, type: resultType, constant: .null) }
        return Bound(.caseWhen(remaining, otherwise: otherwiseBound), type: resultType)
    }

    /// An integer value where a double is expected (CASE, coalesce, if), converted.
    func widen(_ b: Bound, to type: SQLType) -> Bound {
        guard type == .double, b.type == .integer else { return b }
        return (try? fold(.castToDouble(isTry: false), [b], .double)) ?? b
    }

    /// The one type all `values` share (numbers widen to double), for coalesce, if and CASE.
    func commonType(_ values: [Bound], name: String, at: SourceLocation) throws(QueryError) -> SQLType {
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
