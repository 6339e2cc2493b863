import FlowIngest

extension QueryPlan {
    /// The plan as a person reads it: partitions kept and skipped (and why), the SQL each kept
    /// partition runs, and the merge step.
    public var explanation: String {
        var lines: [String] = []
        let keptCount = partitions.filter(\.kept).count
        lines.append("Partitions: \(keptCount) of \(partitions.count) read")
        for choice in partitions {
            if choice.kept {
                lines.append("  read  \(choice.partition.day.isoText)  \(choice.partition.rowCount.formatted()) rows")
            } else {
                lines.append("  skip  \(choice.partition.day.isoText)  \(choice.reason ?? "excluded by WHERE")")
            }
        }
        lines.append("")
        lines.append("Columns: " + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))
        lines.append("")
        if let first = partitionQueries.first {
            let shared = partitionQueries.allSatisfy { $0.sql == first.sql }
            lines.append(shared ? "Each partition runs (values shown inline):" : "Partition queries (values shown inline; <day ...> is the partition's own day):")
            if shared {
                lines.append("  " + Self.inline(first.sql, first.bindings, dayParameters: first.dayParameters, generic: true))
            } else {
                for query in partitionQueries {
                    lines.append("  \(query.day.isoText): " + Self.inline(query.sql, query.bindings, dayParameters: query.dayParameters))
                }
            }
        } else {
            lines.append("No partition is read.")
        }
        lines.append("")
        switch merge {
        case .stream(let limit):
            lines.append("Merge: rows stream out partition by partition, oldest day first" + (limit.map { ", stopping after \($0.formatted()) rows" } ?? ""))
        case .merge(_, let sql, let bindings):
            lines.append("Merge: partial rows from all partitions go into one table, then:")
            lines.append("  " + Self.inline(sql, bindings, dayParameters: []))
        }
        return lines.joined(separator: "\n")
    }

    /// SQL with its numbered parameters replaced by their values, for reading only.
    static func inline(_ sql: String, _ bindings: [SQLiteValue], dayParameters: Set<Int>, generic: Bool = false) -> String {
        var text = sql
        // From the highest number down, so ?1 does not replace the start of ?12.
        for index in stride(from: bindings.count, through: 1, by: -1) {
            var shown = Binding.value(bindings[index - 1]).description
            if dayParameters.contains(index), case .text(let value) = bindings[index - 1] {
                shown = generic ? "<partition day>" : "<day \(value)>"
            }
            text = text.replacingOccurrences(of: "?\(index)", with: shown)
        }
        return text
    }
}
