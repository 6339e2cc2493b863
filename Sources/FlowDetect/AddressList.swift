import FlowModel
import Foundation

/// A list of addresses and CIDR blocks read from a file: one entry a line, `#` starts a
/// comment, blank lines are skipped. Used for `known-bad`'s blocklist and for `--allowlist`.
public struct AddressList: Sendable, Equatable {
    /// Single addresses, in canonical text (`2001:db8::1`).
    public private(set) var addresses: [String] = []
    /// CIDR blocks, as written (checked: no host bits set).
    public private(set) var blocks: [String] = []
    private var parsedBlocks: [CIDRBlock] = []

    /// The most entries a list may hold: each becomes a term of a query's condition.
    public static let maximumEntries = 2_000

    /// An empty list.
    public init() {}

    /// Reads the list from the text of a file; `source` names it in errors.
    public init(text: String, source: String) throws(DetectionError) {
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
                .map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !line.isEmpty else { continue }
            if line.contains("/") {
                switch CIDRBlock.parse(line) {
                case .success(let block):
                    blocks.append(line)
                    parsedBlocks.append(block)
                case .failure(let problem):
                    throw DetectionError(.usage, "\(source):\(number + 1): '\(line)' is not a CIDR block: \(problem.message)")
                }
            } else if let address = IPAddress(line) {
                addresses.append(address.text)
            } else {
                throw DetectionError(.usage, "\(source):\(number + 1): '\(line)' is not an IP address or CIDR block (write 203.0.113.7 or 198.51.100.0/24, one a line)")
            }
            if addresses.count + blocks.count > Self.maximumEntries {
                throw DetectionError(.usage, "\(source): more than \(Self.maximumEntries.formatted()) entries; merge addresses into CIDR blocks")
            }
        }
    }

    /// Reads the list in the file at `path`.
    public static func load(path: String) throws(DetectionError) -> AddressList {
        let text: String
        do {
            text = try String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8)
        } catch {
            throw DetectionError(.usage, "cannot read the address list \(path): \(error.localizedDescription)")
        }
        return try AddressList(text: text, source: path)
    }

    /// True when the list has no entries.
    public var isEmpty: Bool { addresses.isEmpty && blocks.isEmpty }

    /// True when `text` is one of the addresses or inside one of the blocks.
    public func contains(_ text: String) -> Bool {
        guard let address = IPAddress(text) else { return false }
        if addresses.contains(address.text) { return true }
        for block in parsedBlocks {
            switch address {
            case .v4(let value):
                if block.ipv4Range?.contains(value) == true { return true }
            case .v6(let bytes):
                let range = block.ipv6Range
                if !bytes.lexicographicallyPrecedes(range.low) && !range.high.lexicographicallyPrecedes(bytes) { return true }
            }
        }
        return false
    }

    /// A flowq SQL condition true when `column` holds an address of the list (FALSE for an
    /// empty list). Addresses are compared as canonical text; blocks with `contains`.
    public func condition(column: String) -> String {
        var terms: [String] = []
        if !addresses.isEmpty {
            terms.append("\(column) IN (" + addresses.map { "'\($0)'" }.joined(separator: ", ") + ")")
        }
        for block in blocks {
            terms.append("contains('\(block)', cast(\(column) AS IPADDRESS))")
        }
        return terms.isEmpty ? "(1 = 0)" : "(" + terms.joined(separator: " OR ") + ")"
    }
}
