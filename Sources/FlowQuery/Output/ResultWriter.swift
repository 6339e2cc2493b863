import FlowModel
import FlowSQLite
import Foundation

/// Writes a result set in one of the output formats, row by row.
///
/// CSV, JSON and NDJSON stream. A table needs every row to size its columns: it keeps the
/// first rows in memory and spills the rest to an unlinked temporary file, tracking the widths
/// as rows come, so memory stays flat however many rows a query prints.
public final class ResultWriter {
    /// How a table is drawn for a person at a terminal.
    public struct TableStyle: Sendable {
        /// The widest a line may be (the terminal's width); nil for no limit.
        public var maximumWidth: Int?
        /// Bold headers and dim NULLs (ANSI); only on a terminal and never with NO_COLOR.
        public var color: Bool
        /// Thousands separators in quantity columns.
        public var groupDigits: Bool

        /// A style.
        public init(maximumWidth: Int? = nil, color: Bool = false, groupDigits: Bool = true) {
            self.maximumWidth = maximumWidth
            self.color = color
            self.groupDigits = groupDigits
        }
    }

    private let format: OutputFormat
    private let style: TableStyle
    private let columns: [ResultColumn]
    private let write: (String) throws -> Void
    private var rowCount = 0
    // Table state: widths so far, rows kept in memory, then the spill file.
    private var widths: [Int]
    private var tableRows: [[String?]] = []
    private var keptBytes = 0
    private var spill: SpillFile?
    private let spillAfterBytes: Int?

    /// Bytes of table cells kept in memory before the rest go to a temporary file.
    public static let defaultTableMemory = 8 << 20

    /// A writer of `columns` in `format`, sending text to `write`. Tables keep at most
    /// `tableMemory` bytes of cells in memory (nil: no limit, for small in-memory reports).
    public init(format: OutputFormat, columns: [ResultColumn], style: TableStyle = TableStyle(),
                tableMemory: Int? = ResultWriter.defaultTableMemory, write: @escaping (String) throws -> Void) throws {
        self.format = format
        self.style = style
        self.columns = columns
        self.write = write
        self.spillAfterBytes = tableMemory
        widths = columns.map(\.name.count)
        switch format {
        case .csv: try write(columns.map { Self.csvField($0.name) }.joined(separator: ",") + "\r\n")
        case .json: try write("[")
        default: break
        }
    }

    /// The whole answer as text, for results already in memory (report sections).
    public static func text(format: OutputFormat, columns: [ResultColumn], rows: [[SQLiteValue]], style: TableStyle = TableStyle()) -> String {
        var out = ""
        // Nothing here can fail: the sink is a string and tables are kept in memory.
        if let writer = try? ResultWriter(format: format, columns: columns, style: style, tableMemory: nil, write: { out += $0 }) {
            for row in rows { try? writer.add(row) }
            try? writer.finish()
        }
        return out
    }

    /// Adds one row.
    public func add(_ row: [SQLiteValue]) throws {
        switch format {
        case .table:
            let cells: [String?] = zip(row, columns).map { value, column in
                let text = ValueText.plain(value, type: column.type)
                guard style.groupDigits, column.isQuantity, let text else { return text }
                return Self.grouped(text)
            }
            for (i, cell) in cells.enumerated() { widths[i] = max(widths[i], cell?.count ?? 1) }
            if let spill {
                try spill.append(cells)
            } else {
                tableRows.append(cells)
                keptBytes += cells.reduce(16) { $0 + ($1?.utf8.count ?? 0) + 16 }
                if let limit = spillAfterBytes, keptBytes > limit { spill = try SpillFile() }
            }
        case .csv:
            var line = ""
            for index in row.indices {
                if index > 0 { line += "," }
                if let text = ValueText.plain(row[index], type: columns[index].type) { line += Self.csvField(text) }
            }
            line += "\r\n"
            try write(line)
        case .json:
            try write((rowCount == 0 ? "\n" : ",\n") + jsonObject(row))
        case .ndjson:
            try write(jsonObject(row) + "\n")
        }
        rowCount += 1
    }

    /// Ends the output.
    public func finish() throws {
        switch format {
        case .table: try renderTable()
        case .json: try write(rowCount == 0 ? "]\n" : "\n]\n")
        default: break
        }
    }

    /// Rows written so far.
    public var count: Int { rowCount }

    private func jsonObject(_ row: [SQLiteValue]) -> String {
        "{" + zip(row, columns).map { value, column in
            JSONString.quoted(column.name) + ":" + jsonValue(value, type: column.type)
        }.joined(separator: ",") + "}"
    }

    private func jsonValue(_ value: SQLiteValue, type: SQLType) -> String {
        switch (value, type) {
        case (.null, _): return "null"
        case (.integer(let v), .boolean): return v != 0 ? "true" : "false"
        case (.text(let s), .array):
            if let elements = JSONArrayText.parse(s) { return JSONArrayText.write(elements) }
            return JSONString.quoted(s)
        case (.integer(let v), _): return String(v)
        case (.real(let v), _): return v.isFinite ? String(v) : "null"
        case (.text(let s), _): return JSONString.quoted(s)
        case (.blob, _): return JSONString.quoted(ValueText.plain(value, type: type) ?? "")
        }
    }

    private func renderTable() throws {
        let headers = columns.map(\.name)
        let numeric = columns.map { $0.type.isNumeric }
        var widths = self.widths
        // Fit the terminal: narrow the widest text columns first, never below 8 characters.
        if let maximum = style.maximumWidth {
            var total = widths.reduce(0, +) + 2 * max(0, widths.count - 1)
            while total > maximum {
                guard let widest = widths.indices.filter({ !numeric[$0] && widths[$0] > 8 }).max(by: { widths[$0] < widths[$1] }) else { break }
                widths[widest] -= 1
                total -= 1
            }
        }
        let bold = style.color ? "\u{1B}[1m" : "", dim = style.color ? "\u{1B}[2m" : "", reset = style.color ? "\u{1B}[0m" : ""
        func fitted(_ cell: String, _ width: Int) -> String {
            cell.count <= width ? cell : String(cell.prefix(max(0, width - 1))) + "…"
        }
        func line(_ cells: [String?], header: Bool = false) -> String {
            cells.enumerated().map { i, cell in
                let text = fitted(cell ?? "-", widths[i])
                let pad = String(repeating: " ", count: max(0, widths[i] - text.count))
                let shown = header ? bold + text + reset : (cell == nil ? dim + text + reset : text)
                return numeric[i] ? pad + shown : shown + pad
            }.joined(separator: "  ").replacingTrailingSpaces() + "\n"
        }
        var out = line(headers, header: true)
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in tableRows {
            out += line(row)
            if out.utf8.count >= 1 << 16 { try write(out); out = "" }
        }
        tableRows.removeAll()
        if let spill {
            try spill.replay(cellsPerRow: columns.count) { row in
                out += line(row)
                if out.utf8.count >= 1 << 16 { try write(out); out = "" }
            }
        }
        out += "(\(rowCount) row\(rowCount == 1 ? "" : "s"))\n"
        try write(out)
    }

    /// `1234567` as `1,234,567` (and `-1234.5` as `-1,234.5`).
    static func grouped(_ text: String) -> String {
        var digits = Substring(text)
        var sign = ""
        if digits.first == "-" { sign = "-"; digits = digits.dropFirst() }
        let integer = digits.prefix { $0.isNumber }
        guard integer.count > 3, integer.allSatisfy(\.isASCII) else { return text }
        var result = ""
        for (index, digit) in integer.enumerated() {
            if index > 0 && (integer.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return sign + result + digits.dropFirst(integer.count)
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        // Scan bytes, not Characters: this runs for every cell of every row.
        guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var bytes: [UInt8] = [0x22]
        bytes.reserveCapacity(text.utf8.count + 8)
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == 0x22 { bytes.append(0x22) }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
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
