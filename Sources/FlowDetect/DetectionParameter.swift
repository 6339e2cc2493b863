import FlowModel
import FlowReports

/// A documented threshold or input of a detection: `{name}` in its query, overridden with
/// `--param name=value` (or `--param detection-id.name=value` for one detection only).
public struct DetectionParameter: Sendable, Equatable {
    /// What a parameter's values must look like, and how they are written into SQL.
    public enum Kind: String, Sendable, CaseIterable {
        /// A whole number, written bare (`20`).
        case integer
        /// A decimal number, written bare (`0.8`).
        case number
        /// Letters, digits and `. _ : / -`, written as a quoted SQL literal.
        case word
        /// An IPv4 or IPv6 address, written as a quoted SQL literal in canonical form.
        case address
        /// The path of a file of addresses and CIDR blocks (``AddressList``); used in SQL as
        /// `{name:column}`, which becomes a condition true when `column` is in the list.
        case addresses = "address-list"
    }

    /// The name used as `{name}` and in `--param name=value`.
    public var name: String
    /// What values look like.
    public var kind: Kind
    /// What the parameter means, for `flowq detect --list` and the docs.
    public var summary: String
    /// The value used when the command line gives none; nil means the detection is skipped
    /// (with a note) unless one is given: `known-bad` runs only with a blocklist.
    public var defaultValue: String?

    /// A parameter.
    public init(name: String, kind: Kind, summary: String = "", defaultValue: String? = nil) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.defaultValue = defaultValue
    }

    /// `raw` checked for this parameter's kind: the text shown and the SQL written.
    func value(_ raw: String, origin: String, kind errorKind: DetectionError.Kind) throws(DetectionError) -> DetectionValue {
        let text = raw.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .integer:
            guard let number = Int64(text) else {
                throw DetectionError(errorKind, "\(origin): '\(raw)' is not a whole number")
            }
            return DetectionValue(text: String(number), literal: String(number), number: Double(number))
        case .number:
            guard let number = Double(text), number.isFinite else {
                throw DetectionError(errorKind, "\(origin): '\(raw)' is not a number")
            }
            return DetectionValue(text: text, literal: String(number), number: number)
        case .word:
            do {
                // A name not ending in "addr" keeps ReportValue to its word check.
                let value = try ReportValue(name: "word", text: text, origin: origin, kind: .usage)
                return DetectionValue(text: value.text, literal: value.literal)
            } catch {
                throw DetectionError(errorKind, error.message)
            }
        case .address:
            guard let address = IPAddress(text) else {
                throw DetectionError(errorKind, "\(origin): '\(raw)' is not an IP address (write one like 10.0.0.1 or 2001:db8::1)")
            }
            return DetectionValue(text: address.text, literal: "'\(address.text)'")
        case .addresses:
            guard !text.isEmpty else { throw DetectionError(errorKind, "\(origin): the file name is empty") }
            let list = try AddressList.load(path: text)
            return DetectionValue(text: text, literal: "", list: list)
        }
    }
}
