/// A set of ports written as ranges: `443`, `8080-8081`, `443, 5432`.
enum PortRanges {
    /// The fewest ranges holding exactly `ports`, in order.
    static func ranges(_ ports: some Sequence<Int64>) -> [ClosedRange<Int64>] {
        var ranges: [ClosedRange<Int64>] = []
        for port in Set(ports).sorted() {
            if let last = ranges.last, last.upperBound + 1 == port {
                ranges[ranges.count - 1] = last.lowerBound...port
            } else {
                ranges.append(port...port)
            }
        }
        return ranges
    }

    /// `443, 8080-8081`.
    static func text(_ ranges: [ClosedRange<Int64>]) -> String {
        ranges.map { $0.lowerBound == $0.upperBound ? String($0.lowerBound) : "\($0.lowerBound)-\($0.upperBound)" }
            .joined(separator: ", ")
    }
}
