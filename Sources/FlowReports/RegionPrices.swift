import Foundation

/// Prices per GB by AWS region, read from a small text file, with a default for the regions it
/// does not list.
///
/// The file has one region and its price per line, apart by spaces, a tab or a comma; `#` starts
/// a comment; `*` names the price for every other region (overriding the default):
///
/// ```
/// # region        USD per GB processed
/// us-east-1       0.045
/// eu-central-1    0.052
/// *               0.05
/// ```
struct RegionPrices: Sendable, Equatable {
    /// Prices by region name.
    let prices: [String: Double]
    /// The price for regions not listed (and for gateways whose region is unknown).
    let fallback: Double

    /// Every region at `fallback`.
    init(fallback: Double, prices: [String: Double] = [:]) {
        self.fallback = fallback
        self.prices = prices
    }

    /// The price for `region`.
    func price(for region: String?) -> Double {
        region.flatMap { prices[$0] } ?? fallback
    }

    /// Reads the file at `path` (from `--param price_table=`), with `fallback` for regions it does not list.
    static func load(path: String, fallback: Double) throws(ReportError) -> RegionPrices {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReportError(.usage, "--param price_table=\(path): cannot read the file: \(error.localizedDescription)")
        }
        return try parse(text, name: path, fallback: fallback)
    }

    /// Reads a price table's text; `name` says where it came from in messages.
    static func parse(_ text: String, name: String, fallback: Double) throws(ReportError) -> RegionPrices {
        var prices: [String: Double] = [:]
        var other = fallback
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }
            if fields.isEmpty { continue }
            guard fields.count == 2, let price = Double(fields[1]), price.isFinite, price >= 0 else {
                throw ReportError(.usage, "\(name):\(index + 1): expected a region and a price per GB, like 'us-east-1 0.045', found '\(line.trimmingCharacters(in: .whitespaces))'")
            }
            if fields[0] == "*" { other = price } else { prices[String(fields[0])] = price }
        }
        return RegionPrices(fallback: other, prices: prices)
    }
}
