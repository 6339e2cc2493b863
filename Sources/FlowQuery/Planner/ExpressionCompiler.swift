import FlowIngest
import Foundation

/// Turns checked expressions into SQLite SQL with Trino's semantics.
///
/// Types are checked as Trino checks them (`dstport = 'abc'` is an error, not an empty
/// answer); literals become bound parameters; encoded columns (addresses, action codes) are
/// compared in their stored form when the other side is a literal, so indexes stay usable,
/// and decoded to text wherever text semantics are needed.
final class ExpressionCompiler {
    let builder: SQLBuilder
    let scope: CompileScope
    /// "Today" for `current_date`, fixed per query.
    let today: PartitionDay
    /// "Now" for `current_timestamp`, fixed per query.
    let now: Double

    init(builder: SQLBuilder, scope: CompileScope, today: PartitionDay, now: Double) {
        self.builder = builder
        self.scope = scope
        self.today = today
        self.now = now
    }

    /// Compiles `expression`; the result may be encoded.
    func compile(_ expression: Expression) throws(QueryError) -> Compiled {
        if let substituted = try scope.substitute(expression, in: self) { return substituted }
        switch expression {
        case .column(let name, let quoted, let at):
            return try scope.column(name, quoted: quoted, at: at, in: self)
        case .integer(let value, _):
            return literal(.integer(value))
        case .decimal(let text, let at):
            guard let value = Double(text) else { throw QueryError(.syntax, "'\(text)' is not a number", at: at) }
            return literal(.double(value))
        case .string(let text, _):
            return literal(.string(text))
        case .boolean(let value, _):
            return literal(.boolean(value))
        case .null:
            return Compiled(sql: "NULL", type: .unknown, constant: .null)
        case .typedLiteral(let type, let value, let at):
            return literal(try typedLiteral(type: type, value: value, at: at))
        case .interval(let value, let unit, let at):
            return literal(try interval(value: value, unit: unit, at: at))
        case .keywordFunction(let name, let at):
            return try keywordFunction(name, at: at)
        case .unary(let op, let operand, let at):
            return try unary(op, operand, at: at)
        case .binary(let op, let left, let right, let at):
            return try binary(op, left, right, at: at)
        case .between(let value, let low, let high, let negated, _):
            let v = try compile(value), lo = try compile(low), hi = try compile(high)
            let (cv, clo) = try comparable(v, lo, at: low.location)
            let (cv2, chi) = try comparable(v, hi, at: high.location)
            // `x BETWEEN a AND b` evaluates x once in SQLite too; keep it as one operator.
            let sql = cv.sql == cv2.sql
                ? "(\(cv.sql) \(negated ? "NOT " : "")BETWEEN \(clo.sql) AND \(chi.sql))"
                : "(\(negated ? "NOT " : "")(\(cv.sql) >= \(clo.sql) AND \(cv2.sql) <= \(chi.sql)))"
            return Compiled(sql: sql, type: .boolean)
        case .inList(let value, let items, let negated, _):
            let v = try compile(value)
            var left: Compiled? = nil
            var parts: [String] = []
            for item in items {
                let (cv, ci) = try comparable(v, try compile(item), at: item.location)
                if left == nil { left = cv }
                if left?.sql != cv.sql {
                    // Mixed encodings in one list: compare decoded text throughout.
                    let decodedValue = decoded(v)
                    let decodedItems = try items.map { item throws(QueryError) in decoded(try compile(item)).sql }
                    return Compiled(sql: "(\(decodedValue.sql) \(negated ? "NOT " : "")IN (\(decodedItems.joined(separator: ", "))))", type: .boolean)
                }
                parts.append(ci.sql)
            }
            return Compiled(sql: "(\((left ?? v).sql) \(negated ? "NOT " : "")IN (\(parts.joined(separator: ", "))))", type: .boolean)
        case .like(let value, let pattern, let escape, let negated, let at):
            let v = decoded(try compile(value)), p = try compile(pattern)
            guard v.type == .varchar || v.type == .unknown, p.type == .varchar || p.type == .unknown else {
                throw QueryError(.type, "LIKE needs varchar values, not \(v.type) LIKE \(p.type)", at: at)
            }
            var sql = "(\(v.sql) \(negated ? "NOT " : "")LIKE \(p.sql)"
            if let escape { sql += " ESCAPE \(try compile(escape).sql)" }
            return Compiled(sql: sql + ")", type: .boolean)
        case .isNull(let value, let negated, _):
            let v = try compile(value)
            return Compiled(sql: "(\(v.sql) IS \(negated ? "NOT " : "")NULL)", type: .boolean)
        case .function(let name, _, _, _, _) where AggregateFunction.isAggregate(name):
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

    /// Compiles `expression` and requires a boolean (or NULL) result.
    func condition(_ expression: Expression, clause: String) throws(QueryError) -> Compiled {
        let c = try compile(expression)
        guard c.type == .boolean || c.type == .unknown else {
            throw QueryError(.type, "\(clause) needs a boolean condition, but this expression is \(c.type)", at: expression.location)
        }
        return c
    }

    // MARK: Values

    /// A constant as a bound parameter.
    func literal(_ constant: Constant) -> Compiled {
        if constant == .null { return Compiled(sql: "NULL", type: .unknown, constant: .null) }
        return Compiled(sql: builder.value(constant.sqliteValue), type: constant.type, constant: constant)
    }

    /// The value as the query sees it: addresses as text, codes as words.
    func decoded(_ c: Compiled) -> Compiled {
        switch c.encoding {
        case .plain:
            return c
        case .address:
            return Compiled(sql: "fq_ip(\(c.sql))", type: c.type == .ipaddress ? .ipaddress : .varchar)
        case .code(let code):
            let arms = code.words.enumerated().map { "WHEN \($0.offset + 1) THEN '\($0.element)'" }.joined(separator: " ")
            return Compiled(sql: "(CASE \(c.sql) \(arms) ELSE \(c.sql) END)", type: .varchar)
        case .dictionary:
            return Compiled(sql: "(SELECT value FROM dict WHERE id = \(c.sql))", type: .varchar)
        }
    }

    /// The value as a result column shows it: decoded, timestamps as `YYYY-MM-DD HH:MM:SS.fff`.
    func displayed(_ c: Compiled) -> Compiled {
        let d = decoded(c)
        switch d.type {
        case .timestamp: return Compiled(sql: "strftime('%Y-%m-%d %H:%M:%f', \(d.sql), 'unixepoch')", type: .timestamp)
        case .ipaddress: return Compiled(sql: d.sql, type: .ipaddress)
        default: return d
        }
    }

    private func typedLiteral(type: String, value: String, at: SourceLocation) throws(QueryError) -> Constant {
        switch type {
        case "date":
            guard let day = PartitionDay(value.trimmingCharacters(in: .whitespaces)) else {
                throw QueryError(.type, "'\(value)' is not a date; write DATE 'YYYY-MM-DD'", at: at)
            }
            return .date(day)
        case "timestamp":
            guard let seconds = Timestamps.parse(value) else {
                throw QueryError(.type, "'\(value)' is not a timestamp; write TIMESTAMP 'YYYY-MM-DD HH:MM:SS'", at: at)
            }
            return .timestamp(seconds)
        default:
            throw QueryError(.unsupported, "\(type.uppercased()) literals are not supported (DATE and TIMESTAMP are)", at: at)
        }
    }

    private func interval(value: String, unit: String, at: SourceLocation) throws(QueryError) -> Constant {
        guard let amount = Int64(value.trimmingCharacters(in: .whitespaces)) else {
            throw QueryError(.type, "interval '\(value)' needs a whole number", at: at)
        }
        return try intervalConstant(amount: amount, unit: unit, at: at)
    }

    private func keywordFunction(_ name: String, at: SourceLocation) throws(QueryError) -> Compiled {
        switch name.lowercased() {
        case "current_date": return literal(.date(today))
        case "current_timestamp", "localtimestamp", "now": return literal(.timestamp(now))
        default: throw QueryError(.unknownName, "unknown function \(name)", at: at)
        }
    }

    // MARK: Operators

    private func unary(_ op: UnaryOperator, _ operand: Expression, at: SourceLocation) throws(QueryError) -> Compiled {
        let c = try compile(operand)
        switch op {
        case .not:
            guard c.type == .boolean || c.type == .unknown else {
                throw QueryError(.type, "NOT needs a boolean, not \(c.type)", at: at)
            }
            let folded: Constant? = if case .boolean(let b)? = c.constant { .boolean(!b) } else { nil }
            return Compiled(sql: "(NOT \(c.sql))", type: .boolean, constant: folded)
        case .negate, .plus:
            guard c.type.isNumeric || c.type == .unknown || c.type == .interval else {
                throw QueryError(.type, "cannot apply '\(op.rawValue)' to \(c.type)", at: at)
            }
            if op == .plus { return c }
            var folded: Constant? = nil
            switch c.constant {
            case .integer(let v)?: folded = .integer(-v)
            case .double(let v)?: folded = .double(-v)
            case .interval(let s, let m)?: folded = .interval(seconds: -s, months: -m)
            default: break
            }
            if let folded { return literal(folded) }
            if case .integer(let v)? = c.constant, v == .min {
                throw QueryError(.execution, "bigint negation overflow: -(\(v))", at: at)
            }
            // -x as 0 - x, checked: the negation of the smallest bigint overflows.
            if c.type == .integer { return Compiled(sql: "fq_isub(0, \(c.sql))", type: .integer) }
            return Compiled(sql: "(-\(c.sql))", type: c.type)
        }
    }

    private func binary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, at: SourceLocation) throws(QueryError) -> Compiled {
        switch op {
        case .and, .or:
            let l = try condition(left, clause: op.rawValue), r = try condition(right, clause: op.rawValue)
            return Compiled(sql: "(\(l.sql) \(op.rawValue) \(r.sql))", type: .boolean)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            let (l, r) = try comparable(try compile(left), try compile(right), at: at, op: op)
            return Compiled(sql: "(\(l.sql) \(op == .notEqual ? "<>" : op.rawValue) \(r.sql))", type: .boolean)
        case .concat:
            let l = decoded(try compile(left)), r = decoded(try compile(right))
            for side in [l, r] where !(side.type == .varchar || side.type == .unknown || side.type == .date) {
                throw QueryError(.type, "|| joins varchar values, not \(side.type); use CAST(x AS varchar)", at: at)
            }
            return Compiled(sql: "(\(l.sql) || \(r.sql))", type: .varchar)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try arithmetic(op, try compile(left), try compile(right), at: at)
        }
    }

    private func arithmetic(_ op: BinaryOperator, _ l: Compiled, _ r: Compiled, at: SourceLocation) throws(QueryError) -> Compiled {
        // Date and time arithmetic with intervals.
        if (op == .add || op == .subtract), r.type == .interval, l.type == .date || l.type == .timestamp {
            return try DateTimeFunctions.shift(l, by: r, subtract: op == .subtract, at: at, compiler: self)
        }
        if op == .add, l.type == .interval, r.type == .date || r.type == .timestamp {
            return try DateTimeFunctions.shift(r, by: l, subtract: false, at: at, compiler: self)
        }
        guard (l.type.isNumeric || l.type == .unknown) && (r.type.isNumeric || r.type == .unknown) else {
            throw QueryError(.type, "cannot apply '\(op.rawValue)' to \(l.type) and \(r.type)", at: at)
        }
        let type: SQLType = l.type == .double || r.type == .double ? .double : .integer
        if case .integer(let a)? = l.constant, case .integer(let b)? = r.constant {
            // Folded here, failing as Trino fails at run time: overflow and division by zero.
            let folded: (Int64, Bool)
            switch op {
            case .add: folded = a.addingReportingOverflow(b)
            case .subtract: folded = a.subtractingReportingOverflow(b)
            case .multiply: folded = a.multipliedReportingOverflow(by: b)
            case .divide, .modulo:
                guard b != 0 else { throw QueryError(.execution, "Division by zero", at: at) }
                folded = op == .divide ? a.dividedReportingOverflow(by: b) : (b == -1 ? 0 : a % b, false)
            default: folded = (0, true)
            }
            guard !folded.1 else {
                let names: [BinaryOperator: String] = [.add: "addition", .subtract: "subtraction", .multiply: "multiplication", .divide: "division"]
                throw QueryError(.execution, "bigint \(names[op] ?? "arithmetic") overflow: \(a) \(op.rawValue) \(b)", at: at)
            }
            return literal(.integer(folded.0))
        }
        if type == .integer {
            // Checked: an overflow or a division by zero is an error, as in Trino.
            let function = [BinaryOperator.add: "fq_iadd", .subtract: "fq_isub", .multiply: "fq_imul", .divide: "fq_idiv", .modulo: "fq_imod"][op] ?? "fq_iadd"
            return Compiled(sql: "\(function)(\(l.sql), \(r.sql))", type: .integer)
        }
        switch op {
        case .modulo: return Compiled(sql: "fq_fmod(\(l.sql), \(r.sql))", type: .double)
        case .divide: return Compiled(sql: "fq_ddiv(\(l.sql), \(r.sql))", type: .double)
        default: return Compiled(sql: "(\(l.sql) \(op.rawValue) \(r.sql))", type: type)
        }
    }

    /// Brings two sides of a comparison to one representation, checking their types.
    ///
    /// A literal compared with an encoded column is encoded (`srcaddr = '10.0.0.1'` compares
    /// integers; `action = 'REJECT'` compares codes) for `=` and `<>`; ordering comparisons of
    /// addresses use text, as Athena's varchar columns do. A string literal compared with a date
    /// or timestamp is read as one; compared with `day`/`date_partition`, a date in either
    /// spelling is normalised to `YYYY/MM/DD`.
    func comparable(_ l: Compiled, _ r: Compiled, at: SourceLocation, op: BinaryOperator = .equal) throws(QueryError) -> (Compiled, Compiled) {
        var l = l, r = r
        // String literals against dates and timestamps.
        if let coerced = try coerceLiteral(r, toMatch: l, at: at) { r = coerced }
        if let coerced = try coerceLiteral(l, toMatch: r, at: at) { l = coerced }
        if l.type == .date && r.type == .timestamp { l = DateTimeFunctions.dateToTimestamp(l) }
        if r.type == .date && l.type == .timestamp { r = DateTimeFunctions.dateToTimestamp(r) }
        guard l.type.isComparable(with: r.type) else {
            var hint: String? = nil
            if l.type.isNumeric, case .string(let text)? = r.constant, Int64(text) != nil { hint = "write \(text) without quotes" }
            if r.type.isNumeric, case .string(let text)? = l.constant, Int64(text) != nil { hint = "write \(text) without quotes" }
            throw QueryError(.type, "cannot compare \(l.type) with \(r.type)", at: at, hint: hint)
        }
        let equality = op == .equal || op == .notEqual
        switch (l.encoding, r.encoding) {
        case (.plain, .plain):
            return (l, r)
        case (let e, .plain) where equality:
            if let encoded = encodeLiteral(r, as: e) { return (l, encoded) }
        case (.plain, let e) where equality:
            if let encoded = encodeLiteral(l, as: e) { return (encoded, r) }
        case (let a, let b) where equality && a == b:
            return (l, r)
        default:
            break
        }
        return (decoded(l), decoded(r))
    }

    /// A string literal read as the date or timestamp it is compared with, or normalised to
    /// `YYYY/MM/DD` when compared with a `day`-style column.
    private func coerceLiteral(_ c: Compiled, toMatch other: Compiled, at: SourceLocation) throws(QueryError) -> Compiled? {
        guard case .string(let text)? = c.constant else { return nil }
        switch other.type {
        case .date:
            guard let day = PartitionDay(text) else {
                throw QueryError(.type, "'\(text)' is not a date (write 2024-01-05 or 2024/01/05)", at: at)
            }
            return literal(.date(day))
        case .timestamp:
            guard let seconds = Timestamps.parse(text) else {
                throw QueryError(.type, "'\(text)' is not a timestamp (write 2024-01-05 10:00:00)", at: at)
            }
            return literal(.timestamp(seconds))
        case .varchar where other.isPartitionDay:
            if let day = PartitionDay(text) { return literal(.string(day.slashedText)) }
            return nil
        default:
            return nil
        }
    }

    /// A literal in the stored form of `encoding`, when it has one.
    private func encodeLiteral(_ c: Compiled, as encoding: Encoding) -> Compiled? {
        guard case .string(let text)? = c.constant else { return nil }
        switch encoding {
        case .plain:
            return c
        case .address:
            switch IPAddress(text) {
            case .v4(let value)?: return Compiled(sql: builder.value(.integer(Int64(value))), type: .varchar, encoding: .address)
            case .v6(let bytes)?: return Compiled(sql: builder.value(.blob(bytes)), type: .varchar, encoding: .address)
            // Text that is no address can equal no stored address; comparing with it stays correct.
            case nil: return Compiled(sql: builder.value(.text(text)), type: .varchar, encoding: .address)
            }
        case .code(let code):
            // A known word becomes its code, written into the SQL as a number flowq chose (not
            // query text), so SQLite can prove a partial index such as `WHERE action = 2` usable.
            if let number = code.code(of: text) {
                return Compiled(sql: String(number), type: .varchar, encoding: encoding)
            }
            // An unknown word stays text: it matches unknown words stored as text, and no code.
            return Compiled(sql: builder.value(.text(text)), type: .varchar, encoding: encoding)
        case .dictionary:
            // Looked up once per statement; a value the partition never saw gets -1, an id no
            // row has, so `=` finds nothing and `<>` / NOT IN keep every row (not NULL).
            return Compiled(sql: "coalesce((SELECT id FROM dict WHERE value = \(builder.value(.text(text)))), -1)", type: .varchar, encoding: encoding)
        }
    }

    // MARK: CAST and CASE

    private func cast(_ value: Expression, to typeName: String, isTry: Bool, at: SourceLocation) throws(QueryError) -> Compiled {
        let c = try compile(value)
        let base = typeName.split(separator: "(").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? typeName
        switch base {
        case "ipaddress":
            if c.encoding == .address { return Compiled(sql: c.sql, type: .ipaddress, encoding: .address) }
            if case .string(let text)? = c.constant {
                switch IPAddress(text) {
                case .v4(let v)?: return Compiled(sql: builder.value(.integer(Int64(v))), type: .ipaddress, encoding: .address)
                case .v6(let b)?: return Compiled(sql: builder.value(.blob(b)), type: .ipaddress, encoding: .address)
                case nil:
                    if isTry { return Compiled(sql: "NULL", type: .ipaddress, encoding: .address) }
                    throw QueryError(.type, "'\(text)' is not an IP address", at: at)
                }
            }
            let d = decoded(c)
            guard d.type == .varchar || d.type == .unknown else { throw QueryError(.type, "cannot cast \(d.type) to ipaddress", at: at) }
            return Compiled(sql: "fq_ip_parse(\(d.sql))", type: .ipaddress, encoding: .address)
        case "varchar", "char", "string":
            let d = decoded(c)
            switch d.type {
            case .timestamp: return Compiled(sql: "strftime('%Y-%m-%d %H:%M:%f', \(d.sql), 'unixepoch')", type: .varchar)
            case .boolean: return Compiled(sql: "(CASE \(d.sql) WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)", type: .varchar)
            case .double: return Compiled(sql: "fq_double_text(\(d.sql))", type: .varchar)
            default: return Compiled(sql: "CAST(\(d.sql) AS TEXT)", type: .varchar)
            }
        case "bigint", "integer", "int", "smallint", "tinyint":
            let d = decoded(c)
            if d.type == .double { return Compiled(sql: "fq_double_to_integer(\(d.sql), \(isTry ? 1 : 0))", type: .integer) }
            if d.type == .varchar { return Compiled(sql: "fq_to_integer(\(d.sql), \(isTry ? 1 : 0))", type: .integer) }
            return Compiled(sql: "CAST(\(d.sql) AS INTEGER)", type: .integer)
        case "double", "real", "float", "decimal":
            let d = decoded(c)
            if d.type == .varchar || d.type == .unknown { return Compiled(sql: "fq_to_double(\(d.sql), \(isTry ? 1 : 0))", type: .double) }
            return Compiled(sql: "CAST(\(d.sql) AS REAL)", type: .double)
        case "date":
            return try DateTimeFunctions.toDate(c, at: at, compiler: self)
        case "timestamp":
            if c.type == .date { return DateTimeFunctions.dateToTimestamp(c) }
            if case .string(let text)? = c.constant, let seconds = Timestamps.parse(text) { return literal(.timestamp(seconds)) }
            if c.type == .timestamp { return c }
            throw QueryError(.unsupported, "CAST to timestamp takes a date or a timestamp literal; use from_unixtime() for numbers", at: at)
        case "boolean":
            return Compiled(sql: "(\(c.sql) <> 0)", type: .boolean)
        default:
            throw QueryError(.unsupported, "CAST to \(typeName) is not supported", at: at)
        }
    }

    private func caseWhen(_ operand: Expression?, _ branches: [CaseBranch], _ otherwise: Expression?, at: SourceLocation) throws(QueryError) -> Compiled {
        var sql = "(CASE"
        var resultType: SQLType = .unknown
        var results: [Compiled] = []
        let subject = try operand.map { e throws(QueryError) in try compile(e) }
        for branch in branches {
            if let subject {
                let (s, v) = try comparable(subject, try compile(branch.condition), at: branch.condition.location)
                sql += " WHEN \(s.sql) = \(v.sql)"
            } else {
                sql += " WHEN \(try condition(branch.condition, clause: "WHEN").sql)"
            }
            let result = decoded(try compile(branch.result))
            results.append(result)
            sql += " THEN \(result.sql)"
        }
        if let otherwise {
            let result = decoded(try compile(otherwise))
            results.append(result)
            sql += " ELSE \(result.sql)"
        }
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
        return Compiled(sql: sql + " END)", type: resultType)
    }
}

extension String {
    /// The string without one trailing `suffix`, if it ends with it.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
