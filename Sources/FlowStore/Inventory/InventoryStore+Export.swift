import FlowInventory
import FlowModel
import Foundation

extension InventoryStore {
    /// Writes each table that has rows, as queries read it, to `folder/<table>/<table>.json`:
    /// one JSON object per line (the form Athena's JSON SerDe and Spark's JSON reader take),
    /// times as `YYYY-MM-DD HH:MM:SS` UTC. Returns the tables written and their row counts.
    /// Each file is written whole beside its place and renamed in, so a failed export leaves
    /// no half-written table.
    public func export(to folder: URL) throws -> [(table: String, rows: Int)] {
        var written: [(table: String, rows: Int)] = []
        for table in InventoryTableSchema.all {
            let rows = try currentRows(of: table)
            guard !rows.isEmpty else { continue }
            let columns = table.queryColumns
            var text = ""
            for row in rows {
                text += "{"
                for (index, (column, value)) in zip(columns, row).enumerated() {
                    if index > 0 { text += "," }
                    text += JSONString.quoted(column.name) + ":" + Self.json(value, type: column.type)
                }
                text += "}\n"
            }
            let directory = folder.appendingPathComponent(table.name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent(table.name + ".json")
            try Data(text.utf8).write(to: file, options: .atomic)
            written.append((table.name, rows.count))
        }
        return written
    }

    private static func json(_ value: InventoryValue, type: InventorySQLType) -> String {
        switch value {
        case .null: return "null"
        case .text(let text): return JSONString.quoted(text)
        case .boolean(let flag): return flag ? "true" : "false"
        case .integer(let number):
            guard type == .timestamp else { return String(number) }
            return JSONString.quoted(timestampText(number))
        }
    }

    /// Unix seconds as `YYYY-MM-DD HH:MM:SS` (UTC).
    static func timestampText(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let within = seconds - Int64(day.dayNumber) * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(day.isoText) \(two(within / 3600)):\(two(within / 60 % 60)):\(two(within % 60))"
    }
}
