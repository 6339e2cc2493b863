/// One parsed `SELECT` statement: the only statement flowq runs.
public struct SelectStatement: Sendable, Equatable {
    /// `SELECT DISTINCT`.
    public var distinct: Bool
    /// The select list, in order.
    public var items: [SelectItem]
    /// The table after `FROM`.
    public var from: TableReference
    /// `JOIN`s after the first table, in the order written.
    public var joins: [JoinClause] = []
    /// The `WHERE` condition.
    public var filter: Expression?
    /// `GROUP BY` expressions; an integer literal is an ordinal into the select list.
    public var groupBy: [Expression]
    /// The `HAVING` condition.
    public var having: Expression?
    /// `ORDER BY` items; an integer literal is an ordinal into the select list.
    public var orderBy: [OrderItem]
    /// `LIMIT n`; nil for no limit (or `LIMIT ALL`).
    public var limit: Int64?

    /// Creates a statement.
    public init(
        distinct: Bool = false, items: [SelectItem], from: TableReference, filter: Expression? = nil,
        groupBy: [Expression] = [], having: Expression? = nil, orderBy: [OrderItem] = [], limit: Int64? = nil
    ) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.filter = filter
        self.groupBy = groupBy
        self.having = having
        self.orderBy = orderBy
        self.limit = limit
    }
}

/// One entry of the select list.
public enum SelectItem: Sendable, Equatable {
    /// `*`, or `t.*` with `table` the qualifier.
    case star(table: String?, at: SourceLocation)
    /// An expression with an optional `AS alias` (the `AS` may be omitted).
    case expression(Expression, alias: String?)
}

/// The table named after `FROM`, with an optional alias.
public struct TableReference: Sendable, Equatable {
    /// The name as written (may be qualified, e.g. `default.vpc_flow_logs`, joined by `.`).
    public var name: String
    /// `FROM vpc_flow_logs f` or `AS f`.
    public var alias: String?
    /// Where the name starts.
    public var location: SourceLocation

    /// Creates a table reference.
    public init(name: String, alias: String? = nil, location: SourceLocation) {
        self.name = name
        self.alias = alias
        self.location = location
    }
}

/// `[INNER] JOIN table ON condition` or `LEFT [OUTER] JOIN table ON condition`.
public struct JoinClause: Sendable, Equatable {
    /// Which rows a join keeps.
    public enum Kind: String, Sendable, Equatable {
        /// Rows with a match on both sides.
        case inner = "JOIN"
        /// Every row of the left side; the right side's columns NULL where nothing matches.
        case left = "LEFT JOIN"
    }

    /// Inner or left.
    public var kind: Kind
    /// The table joined.
    public var table: TableReference
    /// The `ON` condition.
    public var condition: Expression
    /// Where the join's first keyword is.
    public var location: SourceLocation

    /// Creates a join clause.
    public init(kind: Kind, table: TableReference, condition: Expression, location: SourceLocation) {
        self.kind = kind
        self.table = table
        self.condition = condition
        self.location = location
    }
}

/// One `ORDER BY` item.
public struct OrderItem: Sendable, Equatable {
    /// The sort key; an integer literal is an ordinal into the select list.
    public var expression: Expression
    /// `ASC` (the default) or `DESC`.
    public var ascending: Bool
    /// `NULLS FIRST` (true), `NULLS LAST` (false) or not said (nil: Trino puts NULLs last).
    public var nullsFirst: Bool?

    /// Creates an order item.
    public init(expression: Expression, ascending: Bool = true, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.ascending = ascending
        self.nullsFirst = nullsFirst
    }
}
