import Foundation

extension Expression {
    /// The expression written back as SQL (for plans and messages).
    public var text: String {
        switch self {
        case .column(let name, let quoted, let table, _):
            let column = quoted ? "\"\(name)\"" : name
            return table.map { "\($0).\(column)" } ?? column
        case .integer(let v, _): return String(v)
        case .decimal(let v, _): return v
        case .string(let v, _): return "'" + v.replacingOccurrences(of: "'", with: "''") + "'"
        case .boolean(let v, _): return v ? "TRUE" : "FALSE"
        case .null: return "NULL"
        case .typedLiteral(let type, let value, _): return "\(type.uppercased()) '\(value)'"
        case .interval(let value, let unit, _): return "INTERVAL '\(value)' \(unit.uppercased())"
        case .keywordFunction(let name, _): return name
        case .unary(let op, let e, _): return op == .not ? "NOT \(e.text)" : "\(op.rawValue)\(e.text)"
        case .binary(let op, let l, let r, _):
            let inner = "\(l.text) \(op.rawValue) \(r.text)"
            return op == .and || op == .or ? "(\(inner))" : inner
        case .between(let v, let lo, let hi, let negated, _): return "\(v.text) \(negated ? "NOT " : "")BETWEEN \(lo.text) AND \(hi.text)"
        case .inList(let v, let items, let negated, _): return "\(v.text) \(negated ? "NOT " : "")IN (\(items.map(\.text).joined(separator: ", ")))"
        case .like(let v, let p, let e, let negated, _): return "\(v.text) \(negated ? "NOT " : "")LIKE \(p.text)" + (e.map { " ESCAPE \($0.text)" } ?? "")
        case .isNull(let v, let negated, _): return "\(v.text) IS \(negated ? "NOT " : "")NULL"
        case .function(let name, let args, let distinct, let star, _):
            return "\(name)(\(distinct ? "DISTINCT " : "")\(star ? "*" : args.map(\.text).joined(separator: ", ")))"
        case .cast(let v, let type, let isTry, _): return "\(isTry ? "try_cast" : "cast")(\(v.text) AS \(type.uppercased()))"
        case .caseWhen(let operand, let branches, let otherwise, _):
            var s = "CASE" + (operand.map { " \($0.text)" } ?? "")
            for b in branches { s += " WHEN \(b.condition.text) THEN \(b.result.text)" }
            if let otherwise { s += " ELSE \(otherwise.text)" }
            return s + " END"
        }
    }
}
