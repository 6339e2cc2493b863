import FlowQuery
import FlowSQLite

/// A section a computed report builds row by row: columns, values, notes, and the query it came
/// from (shown as the section's SQL, the evidence behind its numbers).
struct ReportTable {
    /// The heading.
    var title: String
    /// The aggregate query the rows were computed from.
    var sql: String
    /// The columns.
    var columns: [ResultColumn]
    /// The rows.
    var rows: [[SQLiteValue]] = []
    /// Sentences shown under the heading.
    var notes: [String] = []
    /// The chart drawn in HTML.
    var chart: ReportChart = .none
    /// Bar labels.
    var label: [String] = []
    /// Bar values.
    var value: [String] = []

    /// A table with columns given as `(name, type)`.
    init(_ title: String, sql: String, columns: [(String, SQLType)], notes: [String] = [],
         chart: ReportChart = .none, label: [String] = [], value: [String] = []) {
        self.title = title
        self.sql = sql
        self.columns = columns.map { ResultColumn(name: $0.0, type: $0.1, isQuantity: $0.1.isNumeric) }
        self.notes = notes
        self.chart = chart
        self.label = label
        self.value = value
    }

    /// Adds a row of cells, one per column.
    mutating func append(_ cells: [Cell]) {
        precondition(cells.count == columns.count, "a row of \(cells.count) cells for \(columns.count) columns")
        rows.append(cells.map(\.value))
    }

    /// The finished section.
    var section: ReportSection {
        ReportSection(query: ReportQuery(name: title, sql: sql, chart: chart, label: label, value: value),
                      columns: columns, rows: rows, notes: notes)
    }

    /// One value.
    enum Cell {
        case text(String?)
        case integer(Int64?)
        case number(Double?)

        var value: SQLiteValue {
            switch self {
            case .text(let text): return text.map(SQLiteValue.text) ?? .null
            case .integer(let number): return number.map(SQLiteValue.integer) ?? .null
            case .number(let number): return number.map(SQLiteValue.real) ?? .null
            }
        }
    }
}
