import FlowModel

/// The record layouts the generator can write.
public enum SampleLayout: String, Sendable, CaseIterable {
    /// The version 2 default format.
    case `default`
    /// A custom version 5 format in a reordered field order, with VPC, subnet, region and direction.
    case custom
    /// Alternating files of both.
    case mixed

    /// The fields of the custom format, deliberately not in default order.
    public static let customFields: [FlowField] = [
        .version, .vpcID, .subnetID, .instanceID, .interfaceID, .accountID, .type, .srcaddr, .dstaddr,
        .srcport, .dstport, .pktSrcaddr, .pktDstaddr, .protocol, .bytes, .packets, .start, .end,
        .action, .tcpFlags, .logStatus, .region, .azID, .flowDirection, .trafficPath,
    ]

    /// The default format's fields (AWS's, which `FlowLayout` owns).
    public static var defaultFields: [FlowField] { FlowLayout.awsDefaultFields }
}
