import FlowIngest
import Foundation

/// The bound form of a statement's expressions, for an emitter deciding how to write them: the
/// same binder flowq runs a query with, over the table's rows. The emitter asks it what a value
/// *is* (a DATE, the partition day, a constant) instead of guessing from column names.
struct TypeOracle: Sendable {
    private let schema: TableSchema

    init(table: FlowTable) {
        schema = TableSchema(table: table)
    }

    /// `expression` bound over the table's rows; nil where it is not a row value (an aggregate,
    /// a group key written another way) or does not bind.
    func bound(_ expression: Expression) -> Bound? {
        // `current_date` and `now()` stay symbolic in emitted SQL; the day used here only
        // shapes Athena's partition predicate for constant bounds.
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let binder = Binder(scope: RowBindScope(schema: schema, clause: "WHERE"), today: PartitionDay(unixSeconds: now / 1000), now: now)
        return try? binder.bind(expression)
    }
}
