import FlowSQLite

/// An aggregate query's answer: its rows, read by column name.
struct AggregateRows {
    /// The column names.
    let columns: [String]
    /// The rows, as the executor returned them.
    let rows: [[SQLiteValue]]

    /// Each row, with name-based access.
    var records: [Record] {
        let index = Dictionary(columns.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return rows.map { Record(index: index, values: $0) }
    }

    /// One row.
    struct Record {
        let index: [String: Int]
        let values: [SQLiteValue]

        /// The column's text, nil for NULL.
        func text(_ name: String) -> String? {
            guard let i = index[name] else { return nil }
            switch values[i] {
            case .text(let text): return text
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            default: return nil
            }
        }

        /// The column's number, 0 for NULL.
        func integer(_ name: String) -> Int64 {
            guard let i = index[name] else { return 0 }
            switch values[i] {
            case .integer(let number): return number
            case .real(let number): return Int64(number)
            case .text(let text): return Int64(text) ?? 0
            default: return 0
            }
        }

        /// The column as an address, nil for NULL or text that is not one.
        func address(_ name: String) -> NetworkAddress? {
            text(name).flatMap(NetworkAddress.init)
        }
    }
}
