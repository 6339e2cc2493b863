import FlowQuery
import Foundation

/// Inline SVG charts for the HTML report: horizontal bars for a top-N, lines for a time series.
///
/// Pure markup (no scripts, no fonts or images fetched); every text is escaped. Hovering a bar
/// or point shows its exact value through SVG `<title>`.
enum SVGChart {
    /// Bars drawn at most; the table below the chart still lists every row.
    static let maxBars = 30
    /// Lines drawn at most.
    static let maxSeries = 6
    /// Line colours, one per series.
    static let palette = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed", "#db2777"]

    /// The chart for a section as its query asks, or nil (no chart, no rows, or no numeric column).
    static func svg(for section: ReportSection) -> String? {
        guard !section.rows.isEmpty else { return nil }
        switch section.query.chart {
        case .none: return nil
        case .bar: return bar(section)
        case .line: return line(section)
        }
    }

    // MARK: Column choice

    static func index(of name: String, in section: ReportSection) -> Int? {
        section.columns.firstIndex { $0.name == name }
    }

    /// Label columns: those named, else the first text column, else the first column.
    static func labelColumns(_ section: ReportSection) -> [Int] {
        let named = section.query.labelColumns.compactMap { index(of: $0, in: section) }
        if !named.isEmpty { return named }
        return [section.columns.firstIndex { !$0.type.isNumeric } ?? 0]
    }

    /// Value columns: those named, else numeric columns other than the labels (the first one for
    /// bars), preferring counts and sums to identifiers such as ports.
    static func valueColumns(_ section: ReportSection, labels: [Int], all: Bool) -> [Int] {
        let named = section.query.valueColumns.compactMap { index(of: $0, in: section) }
        if !named.isEmpty { return named }
        let numeric = section.columns.indices.filter { section.columns[$0].type.isNumeric && !labels.contains($0) }
        let measures = numeric.filter { ReportText.isMeasure(section.columns[$0]) }
        let chosen = measures.isEmpty ? numeric : measures
        return all ? chosen : Array(chosen.prefix(1))
    }

    // MARK: Bars

    private static func bar(_ section: ReportSection) -> String? {
        let labels = labelColumns(section)
        guard let valueIndex = valueColumns(section, labels: labels, all: false).first else { return nil }
        let column = section.columns[valueIndex]
        let rows = Array(section.rows.prefix(maxBars))
        let values = rows.map { $0[valueIndex].doubleValue ?? 0 }
        let top = max(values.max() ?? 0, 0)
        let rowHeight = 22, labelWidth = 260, barLeft = 270, barWidth = 380, width = 760
        let footnote = section.rows.count > maxBars
        let height = rows.count * rowHeight + 28 + (footnote ? 18 : 0)
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(html(section.title)): \(html(column.name)) per row\">\n"
        out += "<text x=\"\(barLeft)\" y=\"14\" class=\"axis\">\(html(column.name))</text>\n"
        for (i, row) in rows.enumerated() {
            let y = 24 + i * rowHeight
            let label = labels.map { ReportText.display(row[$0], column: section.columns[$0]) ?? "-" }.joined(separator: " → ")
            let valueText = ReportText.display(row[valueIndex], column: column) ?? "-"
            let length = top > 0 ? max(0, values[i]) / top * Double(barWidth) : 0
            out += "<g><title>\(html(label)): \(html(valueText)) \(html(column.name))</title>"
            out += "<text x=\"\(labelWidth)\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"label\">\(html(truncated(label, 40)))</text>"
            out += "<rect x=\"\(barLeft)\" y=\"\(y + 3)\" width=\"\(format(max(length, values[i] > 0 ? 1 : 0)))\" height=\"16\" rx=\"2\" class=\"bar\"/>"
            out += "<text x=\"\(format(Double(barLeft) + length + 6))\" y=\"\(y + 15)\" class=\"value\">\(html(valueText))</text></g>\n"
        }
        if footnote {
            out += "<text x=\"\(barLeft)\" y=\"\(height - 6)\" class=\"axis\">first \(maxBars) of \(ReportText.grouped(Int64(section.rows.count))) rows; the table lists all</text>\n"
        }
        return out + "</svg>"
    }

    // MARK: Lines

    private static func line(_ section: ReportSection) -> String? {
        let labels = labelColumns(section)
        let xIndex = labels[0]
        let series = Array(valueColumns(section, labels: [xIndex], all: true).prefix(maxSeries))
        guard !series.isEmpty else { return nil }
        let xTexts = section.rows.map { ValueText.plain($0[xIndex], type: section.columns[xIndex].type) ?? "-" }
        let parsed = xTexts.map { Timestamps.parse($0) }
        let xs: [Double] = parsed.allSatisfy { $0 != nil } ? parsed.map { $0 ?? 0 } : section.rows.indices.map(Double.init)
        let ys = series.map { column in section.rows.map { $0[column].doubleValue } }
        let top = niceCeiling(ys.flatMap { $0.compactMap { $0 } }.max() ?? 0)
        let width = 760, height = 280, left = 80.0, right = 740.0, plotTop = 34.0, bottom = 240.0
        let xMin = xs.min() ?? 0, xMax = xs.max() ?? 0
        func px(_ x: Double) -> Double { xMax > xMin ? left + (x - xMin) / (xMax - xMin) * (right - left) : (left + right) / 2 }
        func py(_ y: Double) -> Double { top > 0 ? bottom - y / top * (bottom - plotTop) : bottom }

        var out = "<svg class=\"chart\" viewBox=\"0 0 \(width) \(height)\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(html(section.title)): \(html(series.map { section.columns[$0].name }.joined(separator: ", "))) over \(html(section.columns[xIndex].name))\">\n"
        for step in 0...4 {
            let value = top * Double(step) / 4
            let y = py(value)
            out += "<line x1=\"\(format(left))\" y1=\"\(format(y))\" x2=\"\(format(right))\" y2=\"\(format(y))\" class=\"grid\"/>"
            out += "<text x=\"\(format(left - 6))\" y=\"\(format(y + 4))\" text-anchor=\"end\" class=\"axis\">\(html(compact(value)))</text>\n"
        }
        let ticks = Array(Set([0, xTexts.count / 2, xTexts.count - 1])).sorted()
        for (n, i) in ticks.enumerated() {
            let anchor = ticks.count > 1 && n == 0 ? "start" : n == ticks.count - 1 && ticks.count > 1 ? "end" : "middle"
            out += "<text x=\"\(format(px(xs[i])))\" y=\"\(format(bottom + 18))\" text-anchor=\"\(anchor)\" class=\"axis\">\(html(xTexts[i]))</text>\n"
        }
        // A time with no row (an hour without traffic) breaks the line instead of bridging it:
        // a step longer than 1.5 times the shortest one is a gap.
        let steps = zip(xs.dropFirst(), xs).map { $0 - $1 }.filter { $0 > 0 }
        let shortest = steps.min() ?? 0
        let showPoints = section.rows.count <= 48
        for (s, column) in series.enumerated() {
            let colour = palette[s % palette.count]
            let name = section.columns[column].name
            var segments: [[Int]] = [[]]
            for (i, value) in ys[s].enumerated() {
                let gap = i > 0 && shortest > 0 && xs[i] - xs[i - 1] > shortest * 1.5
                if value == nil || gap { segments.append([]) }
                if value != nil { segments[segments.count - 1].append(i) }
            }
            var lonely = Set<Int>()
            for segment in segments {
                if segment.count == 1 { lonely.insert(segment[0]) }
                guard segment.count > 1 else { continue }
                let points = segment.map { "\(format(px(xs[$0]))),\(format(py(ys[s][$0] ?? 0)))" }
                out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            }
            for (i, value) in ys[s].enumerated() where showPoints || lonely.contains(i) {
                guard let value else { continue }
                let shown = ReportText.display(section.rows[i][column], column: section.columns[column]) ?? "-"
                out += "<circle cx=\"\(format(px(xs[i])))\" cy=\"\(format(py(value)))\" r=\"3\" fill=\"\(colour)\"><title>\(html(xTexts[i])): \(html(shown)) \(html(name))</title></circle>"
            }
            out += "\n<rect x=\"\(format(left + Double(s) * 150))\" y=\"8\" width=\"12\" height=\"12\" fill=\"\(colour)\"/>"
            out += "<text x=\"\(format(left + Double(s) * 150 + 18))\" y=\"18\" class=\"label\">\(html(truncated(name, 20)))</text>\n"
        }
        return out + "</svg>"
    }

    // MARK: Helpers

    /// Text escaped for HTML and SVG, in element content and in quoted attributes.
    static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters are not allowed in HTML text; show them as U+FFFD.
                if c.value < 0x20 && c != "\n" && c != "\t" { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// A coordinate with at most one decimal.
    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }

    /// The smallest 1, 2 or 5 times a power of ten at or above `value`.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 0 }
        let power = pow(10, (log10(value)).rounded(.down))
        for step in [1.0, 2.0, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }

    /// `950`, `12.5K`, `3M`, `1.2G` for axis labels.
    static func compact(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")]
        for (size, suffix) in units where abs(value) >= size {
            let scaled = value / size
            return (scaled == scaled.rounded() ? String(Int64(scaled)) : String(format: "%.1f", scaled)) + suffix
        }
        return value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
    }
}
