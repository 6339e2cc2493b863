import FlowModel

/// Addresses as numbers for prefix arithmetic: IPv4 as a `UInt32`, IPv6 as a `UInt128`
/// (network order: the first group in the top bits), so a prefix is a range of integers.
///
/// Parsing and formatting are flowq's own (`IPAddress` in FlowModel), so inventory addresses
/// read and print exactly as flow-log addresses do and join with them as text.
enum IPAddressText {
    /// A parsed address.
    enum Address: Sendable, Hashable {
        case v4(UInt32)
        case v6(UInt128)
    }

    /// Parses IPv4 or IPv6 text.
    static func parse(_ text: String) -> Address? {
        IPAddress(text).map(address)
    }

    /// Parses IPv4 or IPv6 text held as UTF-8 bytes.
    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Address? {
        IPAddress(bytes: UnsafeRawBufferPointer(bytes)).map(address)
    }

    /// The canonical text of an address (IPv4 dotted quad, IPv6 RFC 5952), or nil if `text` is
    /// not an address.
    static func canonical(_ text: String) -> String? {
        IPAddress(text)?.text
    }

    static func format(v4 value: UInt32) -> String {
        IPAddress.format(v4: value)
    }

    static func format(v6 value: UInt128) -> String {
        IPAddress.format(v6: (0..<16).map { UInt8(truncatingIfNeeded: value >> UInt128(8 * (15 - $0))) })
    }

    private static func address(_ parsed: IPAddress) -> Address {
        switch parsed {
        case .v4(let value): return .v4(value)
        case .v6(let bytes): return .v6(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
        }
    }
}
