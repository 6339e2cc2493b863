import FlowIngest

/// Writes a result set in one of the output formats, row by row.
///
/// CSV, JSON and NDJSON stream (memory stays flat however many rows); a table needs every
/// row to size its columns, so it collects them first.
public final class ResultWriter {
    private let format: OutputFormat
    private let columns: [ResultColumn]
    private let write: (String) -> Void
    private var tableRows: [[String?]] = []
    private var rowCount = 0

    /// A writer of `columns` in `format`, sending text to `write`.
    public init(format: OutputFormat, columns: [ResultColumn], write: @escaping (String) -> Void) {
        self.format = format
        self.columns = columns
        self.write = write
        switch format {
        case .csv: write(columns.map { Self.csvField($0.name) }.joined(separator: ",") + "\r\n")
        case .json: write("[")
        default: break
        }
    }

    /// Adds one row.
    public func add(_ row: [SQLiteValue]) {
        switch format {
        case .table:
            tableRows.append(zip(row, columns).map { ValueText.plain($0, type: $1.type) })
        case .csv:
            var line = ""
            for index in row.indices {
                if index > 0 { line += "," }
                if let text = ValueText.plain(row[index], type: columns[index].type) { line += Self.csvField(text) }
            }
            line += "\r\n"
            write(line)
        case .json:
            write((rowCount == 0 ? "\n" : ",\n") + jsonObject(row))
        case .ndjson:
            write(jsonObject(row) + "\n")
        }
        rowCount += 1
    }

    /// Ends the output.
    public func finish() {
        switch format {
        case .table: write(renderTable())
        case .json: write(rowCount == 0 ? "]\n" : "\n]\n")
        default: break
        }
    }

    /// Rows written so far.
    public var count: Int { rowCount }

    private func jsonObject(_ row: [SQLiteValue]) -> String {
        "{" + zip(row, columns).map { value, column in
            JSONArrayText.quoted(column.name) + ":" + jsonValue(value, type: column.type)
        }.joined(separator: ",") + "}"
    }

    private func jsonValue(_ value: SQLiteValue, type: SQLType) -> String {
        switch (value, type) {
        case (.null, _): return "null"
        case (.integer(let v), .boolean): return v != 0 ? "true" : "false"
        case (.text(let s), .array):
            if let elements = JSONArrayText.parse(s) { return JSONArrayText.write(elements) }
            return JSONArrayText.quoted(s)
        case (.integer(let v), _): return String(v)
        case (.real(let v), _): return v.isFinite ? String(v) : "null"
        case (.text(let s), _): return JSONArrayText.quoted(s)
        case (.blob, _): return JSONArrayText.quoted(ValueText.plain(value, type: type) ?? "")
        }
    }

    private func renderTable() -> String {
        let headers = columns.map(\.name)
        let numeric = columns.map { $0.type.isNumeric }
        var widths = headers.map(\.count)
        for row in tableRows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], (cell ?? "-").count) }
        }
        func line(_ cells: [String], alignRight: [Bool]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return alignRight[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingTrailingSpaces() + "\n"
        }
        var out = line(headers, alignRight: numeric)
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in tableRows { out += line(row.map { $0 ?? "-" }, alignRight: numeric) }
        out += "(\(tableRows.count) row\(tableRows.count == 1 ? "" : "s"))\n"
        return out
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        // Scan bytes, not Characters: this runs for every cell of every row.
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

@available(*, unavailable)
extension ResultWriter: Sendable {}

extension String {
    fileprivate func replacingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
