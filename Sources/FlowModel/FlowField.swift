/// Every flow-log field flowq knows, by its header name, with the column it becomes and how
/// it is stored.
///
/// The header of each file is the only truth about which of these it holds and in what order.
public enum FlowField: String, CaseIterable, Sendable {
    // Version 2: the default format, in this order.
    case version, accountID = "account-id", interfaceID = "interface-id", srcaddr, dstaddr
    case srcport, dstport, `protocol`, packets, bytes, start, end, action, logStatus = "log-status"
    // Version 3.
    case vpcID = "vpc-id", subnetID = "subnet-id", instanceID = "instance-id", tcpFlags = "tcp-flags"
    case type, pktSrcaddr = "pkt-srcaddr", pktDstaddr = "pkt-dstaddr"
    // Version 4.
    case region, azID = "az-id", sublocationType = "sublocation-type", sublocationID = "sublocation-id"
    // Version 5.
    case pktSrcAWSService = "pkt-src-aws-service", pktDstAWSService = "pkt-dst-aws-service"
    case flowDirection = "flow-direction", trafficPath = "traffic-path"
    // Version 7 (ECS).
    case ecsClusterARN = "ecs-cluster-arn", ecsClusterName = "ecs-cluster-name"
    case ecsContainerInstanceARN = "ecs-container-instance-arn", ecsContainerInstanceID = "ecs-container-instance-id"
    case ecsContainerID = "ecs-container-id", ecsSecondContainerID = "ecs-second-container-id"
    case ecsServiceName = "ecs-service-name", ecsTaskDefinitionARN = "ecs-task-definition-arn"
    case ecsTaskARN = "ecs-task-arn", ecsTaskID = "ecs-task-id"
    // Version 8 and later.
    case rejectReason = "reject-reason", resourceID = "resource-id", encryptionStatus = "encryption-status"
    // Transit Gateway flow logs (their own table; the fields they share with VPC logs are above).
    // Appended last so the column ids of the fields above stay what stores already hold.
    case resourceType = "resource-type", tgwID = "tgw-id", tgwAttachmentID = "tgw-attachment-id"
    case tgwSrcVPCAccountID = "tgw-src-vpc-account-id", tgwDstVPCAccountID = "tgw-dst-vpc-account-id"
    case tgwSrcVPCID = "tgw-src-vpc-id", tgwDstVPCID = "tgw-dst-vpc-id"
    case tgwSrcSubnetID = "tgw-src-subnet-id", tgwDstSubnetID = "tgw-dst-subnet-id"
    case tgwSrcENI = "tgw-src-eni", tgwDstENI = "tgw-dst-eni"
    case tgwSrcAZID = "tgw-src-az-id", tgwDstAZID = "tgw-dst-az-id"
    case tgwPairAttachmentID = "tgw-pair-attachment-id"
    case packetsLostNoRoute = "packets-lost-no-route", packetsLostBlackhole = "packets-lost-blackhole"
    case packetsLostMTUExceeded = "packets-lost-mtu-exceeded", packetsLostTTLExpired = "packets-lost-ttl-expired"

    /// The fields of VPC flow logs (versions 2 to 8 and later), in field order: the columns of
    /// `vpc_flow_logs`.
    public static let vpcFields: [FlowField] = Array(allCases.prefix { $0 != .resourceType })

    /// True for the fields only Transit Gateway flow logs have (`tgw-*`, `packets-lost-*`): a
    /// header naming one is a Transit Gateway log. `resource-type` is not among them (see
    /// `FlowLayout.table`).
    public var isTransitGatewayOnly: Bool {
        switch self {
        case .tgwID, .tgwAttachmentID, .tgwSrcVPCAccountID, .tgwDstVPCAccountID, .tgwSrcVPCID, .tgwDstVPCID,
             .tgwSrcSubnetID, .tgwDstSubnetID, .tgwSrcENI, .tgwDstENI, .tgwSrcAZID, .tgwDstAZID, .tgwPairAttachmentID,
             .packetsLostNoRoute, .packetsLostBlackhole, .packetsLostMTUExceeded, .packetsLostTTLExpired:
            return true
        default:
            return false
        }
    }

    /// The header name (`log-status`).
    public var headerName: String { rawValue }

    /// The column name: hyphens become underscores, as in Athena (`log_status`).
    public var columnName: String { rawValue.replacingASCII("-", with: "_") }

    /// How values of this field are checked and stored.
    public var storage: FieldStorage {
        switch self {
        case .version: return .integer(0...255)
        case .srcport, .dstport: return .integer(0...65_535)
        case .protocol: return .integer(0...255)
        case .packets, .bytes: return .integer(0...Int64.max)
        case .packetsLostNoRoute, .packetsLostBlackhole, .packetsLostMTUExceeded, .packetsLostTTLExpired: return .integer(0...Int64.max)
        case .start, .end: return .timestamp
        case .tcpFlags: return .integer(0...65_535)
        case .trafficPath: return .integer(0...255)
        case .encryptionStatus: return .integer(0...255)
        case .srcaddr, .dstaddr, .pktSrcaddr, .pktDstaddr: return .address
        case .action: return .code(FieldCode.action, strict: true)
        case .logStatus: return .code(FieldCode.logStatus, strict: true)
        case .flowDirection: return .code(FieldCode.flowDirection, strict: false)
        case .type: return .code(FieldCode.addressType, strict: false)
        default: return .dictionary
        }
    }

    /// The type Athena's documented DDL gives the column.
    public var athenaType: String {
        switch self {
        case .version, .srcport, .dstport, .tcpFlags, .trafficPath, .encryptionStatus: return "int"
        case .protocol, .packets, .bytes, .start, .end: return "bigint"
        case .packetsLostNoRoute, .packetsLostBlackhole, .packetsLostMTUExceeded, .packetsLostTTLExpired: return "bigint"
        default: return "string"
        }
    }

    /// The field looked up by header name, if known.
    public init?(headerName: String) {
        self.init(rawValue: headerName)
    }

    /// The field looked up by column name (`log_status`), if known.
    public init?(columnName: String) {
        self.init(rawValue: columnName.replacingASCII("_", with: "-"))
    }
}

/// How a field's values are validated and laid out in a partition.
public enum FieldStorage: Sendable, Hashable {
    /// A whole number within a range; stored as an integer.
    case integer(ClosedRange<Int64>)
    /// Unix seconds; values above 10^11 are milliseconds and are stored as seconds.
    case timestamp
    /// IPv4 (stored as a 32-bit integer) or IPv6 (stored as a 16-byte blob) address.
    case address
    /// One of a few words, stored as a small integer code; `strict` rejects other words,
    /// otherwise an unknown word is stored as text in the same column.
    case code(FieldCode, strict: Bool)
    /// Free text.
    case text
    /// Text that repeats (ids, names, ARNs): stored once per partition in its `dict` table and
    /// referred to by number.
    case dictionary
}

/// The small vocabularies coded as integers in storage; the planner translates literals.
public struct FieldCode: Sendable, Hashable {
    /// The words, in code order: the word at index `i` is stored as `i + 1`.
    public let words: [String]

    /// `ACCEPT` = 1, `REJECT` = 2.
    public static let action = FieldCode(words: ["ACCEPT", "REJECT"])
    /// `OK` = 1, `NODATA` = 2, `SKIPDATA` = 3.
    public static let logStatus = FieldCode(words: ["OK", "NODATA", "SKIPDATA"])
    /// `ingress` = 1, `egress` = 2.
    public static let flowDirection = FieldCode(words: ["ingress", "egress"])
    /// `IPv4` = 1, `IPv6` = 2, `EFA` = 3.
    public static let addressType = FieldCode(words: ["IPv4", "IPv6", "EFA"])

    /// The code of `word`, if it is one of the words.
    public func code(of word: String) -> Int64? {
        words.firstIndex(of: word).map { Int64($0 + 1) }
    }

    /// The word for `code`, if valid.
    public func word(for code: Int64) -> String? {
        code >= 1 && code <= Int64(words.count) ? words[Int(code - 1)] : nil
    }
}
