/// An attack the sample generator wrote into a corpus, with the answer a detection should give.
public struct InjectedAttack: Sendable, Equatable {
    /// What kind of attack; the raw value is the id of the detection that should find it.
    public enum Kind: String, Sendable, CaseIterable {
        /// One outside source knocking on many ports of one internal address.
        case portScan = "port-scan"
        /// One internal source trying one port on many internal addresses.
        case networkSweep = "network-sweep"
        /// One internal source sending gigabytes to one public address in under an hour.
        case exfiltration
        /// An interface whose flow log lost records (SKIPDATA) for most of an hour.
        case captureGap = "capture-gap"
    }

    /// What kind of attack.
    public var kind: Kind
    /// The attacker's address (nil for a capture gap).
    public var srcaddr: String?
    /// The one destination, if there is one (nil for a sweep and a capture gap).
    public var dstaddr: String?
    /// The one destination port, if there is one.
    public var dstport: Int?
    /// The interface whose log holds the records.
    public var interfaceID: String
    /// The first record's `start` (Unix seconds).
    public var start: Int64
    /// The last record's `end` (Unix seconds).
    public var end: Int64
    /// Records written.
    public var records: Int
    /// Bytes in those records.
    public var bytes: Int
    /// Distinct destination ports (scan) or addresses (sweep) reached.
    public var targets: Int
}
