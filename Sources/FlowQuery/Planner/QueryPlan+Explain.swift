import FlowStore
import Foundation

extension QueryPlan {
    /// The plan as a person reads it, without opening partitions.
    public var explanation: String { explanation(store: nil) }

    /// The plan as a person reads it: partitions kept and skipped (and why), with `store` the
    /// segments each kept partition reads and skips by zone maps, the filter, the operators
    /// and the merge.
    public func explanation(store: FlowStore?) -> String {
        var lines: [String] = []
        let keptCount = partitions.filter(\.kept).count
        // VPC's table is the one most questions ask; another table is named.
        let of = table == .vpc ? "" : " of \(table.name)"
        lines.append("Partitions\(of): \(keptCount) of \(partitions.count) read")
        var segmentTotals = (read: 0, skipped: 0)
        for choice in partitions {
            guard choice.kept else {
                lines.append("  skip  \(choice.partition.day.isoText)  \(choice.reason ?? "excluded by WHERE")")
                continue
            }
            var line = "  read  \(choice.partition.day.isoText)  \(choice.partition.rowCount.formatted()) rows"
            if choice.partition.rowsWithoutStart > 0 {
                line += " (\(choice.partition.rowsWithoutStart.formatted()) of a format without start, placed by end or delivery date)"
            }
            if let store, let counts = segmentCounts(choice.partition.key, store: store) {
                line += ", segments: \(counts.read) read, \(counts.skipped) skipped by zone maps"
                segmentTotals.read += counts.read
                segmentTotals.skipped += counts.skipped
            }
            lines.append(line)
        }
        lines.append("")
        lines.append("Columns: " + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))
        lines.append("Reads: " + (neededColumns.isEmpty ? "no stored column (counts from segment sizes)" : neededColumns.joined(separator: ", ")))
        if filterTexts.isEmpty {
            lines.append("Filter: none")
        } else {
            lines.append("Filter, in order, each on the rows the previous one kept:")
            for text in filterTexts { lines.append("  \(text)") }
        }
        if zonePredicates.isEmpty {
            lines.append("Zone maps: no condition skips segments")
        } else {
            lines.append("Zone maps skip segments that cannot hold:")
            for predicate in zonePredicates { lines.append("  \(predicate.text)  (\(predicate.column) in \(Self.range(predicate)))") }
        }
        if store != nil, segmentTotals.read + segmentTotals.skipped > 0 {
            lines.append("Segments: \(segmentTotals.read) read, \(segmentTotals.skipped) skipped")
        }
        if let join {
            lines.append("Joins, in order, each a hash table of the inventory rows that each batch of flow rows looks up:")
            for step in join.steps {
                let kind = step.kind == .left ? "LEFT JOIN" : "JOIN"
                lines.append("  \(kind) \(step.title) (\(step.rows.count.formatted()) rows) ON " + step.keyTexts.joined(separator: " AND "))
                if !step.filterTexts.isEmpty { lines.append("    rows of \(step.title) kept first: " + step.filterTexts.joined(separator: " AND ")) }
                if !step.residualTexts.isEmpty {
                    lines.append("    checked on each match" + (step.kind == .left ? " (no match left: NULLs)" : "") + ": "
                                 + step.residualTexts.joined(separator: " AND "))
                }
            }
            if !join.afterTexts.isEmpty {
                lines.append("  then on the joined rows: " + join.afterTexts.joined(separator: " AND "))
            }
        }
        lines.append("")
        let scan = join == nil ? "filter" : "filter -> hash join"
        switch shape {
        case .rows(let outputs, let order, let limit):
            if order.isEmpty {
                lines.append("Operators: \(scan) -> project \(outputs.count) column(s) -> stream partition by partition, oldest day first"
                             + (limit.map { ", stopping after \($0.formatted()) rows" } ?? ""))
            } else if let limit {
                lines.append("Operators: \(scan) -> project -> top \(limit.formatted()) per worker by \(order.count) key(s) -> merge the tops")
            } else {
                lines.append("Operators: \(scan) -> project -> sort by \(order.count) key(s) (in memory up to \(SortBuffer.memoryRows.formatted()) rows, then on disk)")
            }
        case .aggregate(let aggregate):
            let keys = aggregate.keyTexts.isEmpty ? "one group" : "groups of " + aggregate.keyTexts.joined(separator: ", ")
            lines.append("Operators: \(scan) -> hash aggregate (\(keys)) per worker, on stored values -> merge the workers' groups")
            if !aggregate.aggregates.isEmpty {
                lines.append("  aggregates: " + aggregate.aggregates.map(\.text).joined(separator: ", "))
            }
            var after: [String] = []
            if aggregate.having != nil { after.append("HAVING") }
            if aggregate.distinctOutputs { after.append("DISTINCT") }
            if !aggregate.order.isEmpty { after.append("ORDER BY (\(aggregate.order.count) key(s))") }
            if let limit = aggregate.limit { after.append("LIMIT \(limit.formatted())") }
            if !after.isEmpty { lines.append("  then over the groups: " + after.joined(separator: ", ")) }
        }
        return lines.joined(separator: "\n")
    }

    private func segmentCounts(_ partition: PartitionKey, store: FlowStore) -> (read: Int, skipped: Int)? {
        guard let reader = try? PartitionReader(path: store.partitionPath(for: partition)),
              let segments = try? reader.segments(watermark: fileWatermark, unfinished: unfinishedFileIDs) else { return nil }
        let read = segments.filter { ZonePredicates.mayMatch(zonePredicates, $0, columns: reader.columns) }.count
        return (read, segments.count - read)
    }

    private static func range(_ predicate: ZonePredicate) -> String {
        let low = predicate.lower.map { String($0) } ?? "-inf"
        let high = predicate.upper.map { String($0) } ?? "+inf"
        if let points = predicate.points, points.count > 1 { return "one of \(points.count) values in [\(low), \(high)]" }
        return "[\(low), \(high)]"
    }
}
