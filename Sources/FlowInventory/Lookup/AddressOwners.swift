import FlowModel

/// Who an address belonged to, and when: built from `describe-network-interfaces` snapshots,
/// each true at its `as_of` time, for `addr_owner(addr)`.
///
/// For a flow at time `t`, an address is attributed to its owner in the newest snapshot at or
/// before `t` that lists it; a flow older than every snapshot listing the address gets the
/// oldest one (the best evidence there is). An address is looked up in the snapshots that list
/// it, so snapshots of several accounts or regions taken at different times all count. An
/// address released and then taken by something outside the inventory keeps its last known
/// owner: the inventory cannot know.
public struct AddressOwners: Sendable {
    /// One snapshot's word on one address.
    public struct Sighting: Sendable, Hashable {
        /// When the snapshot was true, Unix seconds.
        public var asOf: Int64
        /// The owner as `addr_owner` prints it.
        public var owner: String

        /// Creates a sighting.
        public init(asOf: Int64, owner: String) {
            self.asOf = asOf
            self.owner = owner
        }
    }

    /// Per address, its sightings, oldest first. Keyed by the parsed address, so a query's
    /// lookup formats no text.
    private var sightings: [IPAddress: [Sighting]] = [:]

    /// Owners from `(asOf, row)` pairs of `network_interfaces`.
    public init(_ rows: [(asOf: Int64, row: NetworkInterfaceRow)]) {
        for (asOf, row) in rows {
            guard let address = row.address.flatMap(IPAddress.init) else { continue }
            sightings[address, default: []].append(Sighting(asOf: asOf, owner: Self.owner(of: row)))
        }
        for key in sightings.keys { sightings[key]?.sort { ($0.asOf, $0.owner) < ($1.asOf, $1.owner) } }
    }

    /// Addresses known.
    public var count: Int { sightings.count }

    /// The owner of the address `text` at `time`; see `owner(of:at:)`.
    public func owner(of text: String, at time: Int64?) -> String? {
        IPAddress(text).flatMap { owner(of: $0, at: time) }
    }

    /// The owner of `address` at `time` (Unix seconds; nil: now, the newest sighting); nil
    /// when no snapshot lists the address.
    public func owner(of address: IPAddress, at time: Int64?) -> String? {
        guard let list = sightings[address], let first = list.first else { return nil }
        guard let time else { return list[list.count - 1].owner }
        // The last sighting at or before `time`: binary search for the first one after it.
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].asOf <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? first.owner : list[low - 1].owner
    }

    /// What an interface is, as `addr_owner` says it: `instance i-...`, `nat-gateway nat-...`,
    /// `vpc-endpoint vpce-...`, `elb app/...`, `lambda`, else `interface eni-...`.
    public static func owner(of row: NetworkInterfaceRow) -> String {
        let description = row.interfaceDescription ?? ""
        func token(prefix: String) -> String? {
            description.split(separator: " ").first { $0.hasPrefix(prefix) }.map(String.init)
        }
        if let instance = row.instanceID { return "instance \(instance)" }
        switch row.interfaceType {
        case "nat_gateway": return token(prefix: "nat-").map { "nat-gateway \($0)" } ?? "nat-gateway"
        case "vpc_endpoint", "gateway_load_balancer_endpoint": return token(prefix: "vpce-").map { "vpc-endpoint \($0)" } ?? "vpc-endpoint"
        case "lambda": return "lambda"
        default: break
        }
        if description.hasPrefix("ELB ") { return "elb " + description.dropFirst(4) }
        if description.hasPrefix("AWS Lambda VPC ENI") { return "lambda" }
        return "interface \(row.interfaceID)"
    }
}
