/// What the generator knows of the traffic it wrote with `--inventory`, flow by flow: the
/// answers a report over the corpus must reach, taken from the generator's own numbers rather
/// than from a query.
///
/// Flow logs show one connection several times: a NAT hop is six records (two on the
/// instance's interface, four on the NAT gateway's), a flow between two interfaces of a VPC is
/// two (one on each). Here each counts once, with its bytes.
public struct SampleGroundTruth: Sendable, Equatable {
    /// One connection from an instance or function in a private subnet to an internet or AWS
    /// address, through its VPC's NAT gateway, as AWS logs it (the VPC user guide's "Traffic
    /// through a NAT gateway"):
    ///
    /// - on the source interface: `source → external` and the response `external → source`;
    /// - on the NAT gateway's interface: `source → natPrivateIP` (its `pkt-dstaddr` is the
    ///   external address), `natPrivateIP → external`, `external → natPrivateIP`, and
    ///   `natPrivateIP → source` (its `pkt-srcaddr` is the external address).
    public struct NATHop: Sendable, Hashable {
        /// `nat-...`.
        public var natGatewayID: String
        /// The NAT gateway's interface (`eni-...`), whose records have instance id `-`.
        public var natInterfaceID: String
        /// The NAT gateway's private address, which its interface's records show.
        public var natPrivateIP: String
        /// Its Elastic IP: what the internet sees (in the inventory only; flow logs of the
        /// interface show the private address).
        public var natPublicIP: String
        /// The zone of the NAT gateway (`use1-az1`).
        public var natZoneID: String
        /// The source's interface (`eni-...`).
        public var sourceInterfaceID: String
        /// The source's private address.
        public var sourceAddress: String
        /// `addr_owner` of the source: `instance i-...` or `lambda`.
        public var sourceOwner: String
        /// The source's zone; unlike `natZoneID` when the hop also crosses zones.
        public var sourceZoneID: String
        /// The internet or AWS address.
        public var externalAddress: String
        /// `S3`, `DYNAMODB` or `EC2` when the excerpt of `ip-ranges.json` lists the external
        /// address (as `aws_service` answers), nil for the rest of the internet.
        public var service: String?
        /// 6 (TCP) or 17 (UDP).
        public var proto: Int
        /// The destination port.
        public var port: Int
        /// The records' `start`, Unix seconds.
        public var start: Int64
        /// Bytes from the source to the external address (each of the three request records).
        public var requestBytes: Int
        /// Bytes of the response (each of the three response records).
        public var responseBytes: Int

        /// Bytes the NAT gateway processed for the hop, both directions, counted once.
        public var bytes: Int { requestBytes + responseBytes }
    }

    /// A flow between two interfaces of one VPC, logged on both (two records of `bytes` each).
    public struct InternalFlow: Sendable, Hashable {
        /// The VPC (`vpc-...`).
        public var vpcID: String
        /// The client's interface (`eni-...`).
        public var sourceInterfaceID: String
        /// The client's private address.
        public var sourceAddress: String
        /// The client's zone (`use1-az1`).
        public var sourceZoneID: String
        /// The server's interface (`eni-...`).
        public var destinationInterfaceID: String
        /// The server's private address.
        public var destinationAddress: String
        /// The server's zone.
        public var destinationZoneID: String
        /// The server's port (TCP).
        public var port: Int
        /// The records' `start`, Unix seconds.
        public var start: Int64
        /// Bytes of the flow, counted once.
        public var bytes: Int

        /// Whether the flow crosses Availability Zones (and so is charged for it).
        public var crossesZones: Bool { sourceZoneID != destinationZoneID }
    }

    /// Every NAT hop, in the order written.
    public var natHops: [NATHop] = []
    /// Every flow between two interfaces of a VPC, in the order written.
    public var internalFlows: [InternalFlow] = []

    /// Nothing yet.
    public init() {}

    /// Bytes the NAT gateways processed, each hop counted once (not once per record).
    public var natBytes: Int { natHops.reduce(0) { $0 + $1.bytes } }

    /// `natBytes` per NAT gateway id.
    public var natBytesByGateway: [String: Int] {
        natHops.reduce(into: [:]) { $0[$1.natGatewayID, default: 0] += $1.bytes }
    }

    /// `natBytes` per AWS service of the external address (`S3`, `DYNAMODB`, `EC2`); hops to
    /// the rest of the internet are left out.
    public var natBytesByService: [String: Int] {
        natHops.reduce(into: [:]) { totals, hop in
            if let service = hop.service { totals[service, default: 0] += hop.bytes }
        }
    }

    /// The internal flows that cross Availability Zones.
    public var crossZoneFlows: [InternalFlow] { internalFlows.filter(\.crossesZones) }

    /// Bytes of the internal flows that cross zones, each flow counted once.
    public var crossZoneBytes: Int { crossZoneFlows.reduce(0) { $0 + $1.bytes } }
}
