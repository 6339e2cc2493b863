import FlowModel
import Foundation

/// What the binder says about an expression, for an emitter deciding how to write it for
/// another engine: its type and whether it is one of flowq's day columns, instead of guesses
/// from column names.
package struct ExpressionFacts: Sendable {
    /// The Trino type of the value.
    package var type: SQLType
    /// True for `day` / `date_partition` (the start day as `YYYY/MM/DD` text).
    package var isPartitionDay: Bool
    /// True for a column that is the flow's start day (`date`, `day`, `date_partition`).
    package var isDayColumn: Bool
    /// The day, when the value is a constant DATE.
    package var constantDay: PartitionDay?
}

/// Binds expressions over a flow table's rows with the binder queries run with, and reports
/// their facts (see `ExpressionFacts`).
package struct TypeOracle: Sendable {
    private let schema: TableSchema
    /// The tables of a query with joins.
    private let tables: JoinedTables?

    package init(table: FlowTable) {
        schema = TableSchema(table: table)
        tables = nil
    }

    /// An oracle over the joined rows of several tables.
    init(tables: JoinedTables) {
        schema = tables.flow
        self.tables = tables
    }

    /// The facts of `expression` bound over the table's rows; nil where it is not a row value
    /// (an aggregate, a group key written another way) or does not bind.
    package func facts(_ expression: Expression) -> ExpressionFacts? {
        // `current_date` and `now()` stay symbolic in emitted SQL; the time used here only
        // folds constants, and callers do not take days that read the clock.
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let scope: BindScope = tables.map { JoinRowBindScope(tables: $0, clause: "WHERE") } ?? RowBindScope(schema: schema, clause: "WHERE")
        let binder = Binder(scope: scope, today: PartitionDay(unixSeconds: now / 1000), now: now)
        guard let bound = try? binder.bind(expression) else { return nil }
        var day: PartitionDay? = nil
        if bound.type == .date, case .int(let number)? = bound.constant { day = PartitionDay(dayNumber: Int32(truncatingIfNeeded: number)) }
        let isDayColumn: Bool
        switch bound.node {
        case .partitionDate, .partitionSlashed: isDayColumn = true
        default: isDayColumn = false
        }
        return ExpressionFacts(type: bound.type, isPartitionDay: bound.isPartitionDay, isDayColumn: isDayColumn, constantDay: day)
    }
}
