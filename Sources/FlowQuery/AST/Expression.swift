/// An expression as written in the query, with the place it starts.
///
/// The parser builds these; the planner checks names and types and turns them into SQLite SQL.
public indirect enum Expression: Sendable, Equatable {
    /// A column reference such as `dstport`, `"end"` or `f.bytes`; `name` is as written,
    /// without quotes; `table` is the qualifier (`f`, `default.vpc_flow_logs`), nil when none.
    case column(name: String, quoted: Bool, table: String?, at: SourceLocation)
    /// An integer literal (`443`).
    case integer(Int64, at: SourceLocation)
    /// A decimal literal (`1.5`, `2e3`), kept as written so no precision is lost before planning.
    case decimal(String, at: SourceLocation)
    /// A string literal (`'REJECT'`), with `''` already unescaped.
    case string(String, at: SourceLocation)
    /// `TRUE` or `FALSE`.
    case boolean(Bool, at: SourceLocation)
    /// `NULL`.
    case null(at: SourceLocation)
    /// A typed literal such as `DATE '2024-01-05'` or `TIMESTAMP '2024-01-05 10:00:00'`;
    /// `type` is lowercased.
    case typedLiteral(type: String, value: String, at: SourceLocation)
    /// `INTERVAL '7' DAY`; `unit` is lowercased (`day`, `hour`, `minute`, `second`, `month`, `year`).
    case interval(value: String, unit: String, at: SourceLocation)
    /// A niladic keyword function: `current_date`, `current_timestamp`, `now()` is a normal call.
    case keywordFunction(name: String, at: SourceLocation)
    /// A prefix operator: `-x`, `+x`, `NOT x`.
    case unary(UnaryOperator, Expression, at: SourceLocation)
    /// An infix operator; `at` is the operator's location.
    case binary(BinaryOperator, Expression, Expression, at: SourceLocation)
    /// `x [NOT] BETWEEN low AND high`.
    case between(Expression, low: Expression, high: Expression, negated: Bool, at: SourceLocation)
    /// `x [NOT] IN (a, b, ...)`.
    case inList(Expression, [Expression], negated: Bool, at: SourceLocation)
    /// `x [NOT] LIKE pattern [ESCAPE e]`.
    case like(Expression, pattern: Expression, escape: Expression?, negated: Bool, at: SourceLocation)
    /// `x IS [NOT] NULL`.
    case isNull(Expression, negated: Bool, at: SourceLocation)
    /// A function call; `name` is lowercased. `count(*)` has `star` set and no arguments;
    /// `count(DISTINCT x)` has `distinct` set.
    case function(name: String, arguments: [Expression], distinct: Bool, star: Bool, at: SourceLocation)
    /// `CAST(x AS type)` or `TRY_CAST(x AS type)`; `type` is lowercased (`ipaddress`, `bigint`, `varchar`).
    case cast(Expression, type: String, isTry: Bool, at: SourceLocation)
    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
    case caseWhen(operand: Expression?, branches: [CaseBranch], otherwise: Expression?, at: SourceLocation)

    /// Where the expression starts in the query text.
    public var location: SourceLocation {
        switch self {
        case .column(_, _, _, let at), .integer(_, let at), .decimal(_, let at), .string(_, let at),
             .boolean(_, let at), .null(let at), .typedLiteral(_, _, let at), .interval(_, _, let at),
             .keywordFunction(_, let at), .unary(_, _, let at), .binary(_, _, _, let at),
             .between(_, _, _, _, let at), .inList(_, _, _, let at), .like(_, _, _, _, let at),
             .isNull(_, _, let at), .function(_, _, _, _, let at), .cast(_, _, _, let at),
             .caseWhen(_, _, _, let at):
            return at
        }
    }
}

/// One `WHEN condition THEN result` arm of a `CASE`.
public struct CaseBranch: Sendable, Equatable {
    /// The condition, or the value compared with the operand in a simple `CASE x WHEN v`.
    public var condition: Expression
    /// The value when the condition holds.
    public var result: Expression

    /// Creates a branch.
    public init(condition: Expression, result: Expression) {
        self.condition = condition
        self.result = result
    }
}

/// Prefix operators.
public enum UnaryOperator: String, Sendable, Equatable {
    case negate = "-"
    case plus = "+"
    case not = "NOT"
}

/// Infix operators, in the spelling SQL uses.
public enum BinaryOperator: String, Sendable, Equatable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"
    case concat = "||"
    case equal = "="
    /// `<>` and `!=` both parse to this.
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case and = "AND"
    case or = "OR"

    /// True for `= <> < <= > >=`.
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}
