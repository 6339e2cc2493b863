/// The tables a store holds: each flow-log kind has its own columns and its own partitions.
///
/// Which table a file's records go to is decided by its layout (`FlowLayout.table`); where a
/// table's partitions live, by `FlowStore`.
public enum FlowTable: String, CaseIterable, Sendable, Hashable, Comparable {
    /// VPC flow logs (network interfaces): `vpc_flow_logs`, also called `flows`.
    case vpc = "vpc_flow_logs"
    /// Transit Gateway flow logs: `tgw_flow_logs`.
    case transitGateway = "tgw_flow_logs"

    /// The table's name in queries and in the catalog's `table_name` columns.
    public var name: String { rawValue }

    /// Every name a query may call the table by.
    public var queryNames: Set<String> {
        switch self {
        case .vpc: return ["vpc_flow_logs", "flows"]
        case .transitGateway: return ["tgw_flow_logs"]
        }
    }

    /// The table a query names (`FROM flows`), if any; case is ignored.
    public init?(queryName: String) {
        let name = queryName.lowercased()
        guard let table = FlowTable.allCases.first(where: { $0.queryNames.contains(name) }) else { return nil }
        self = table
    }

    /// The table named `name` in the catalog.
    public init?(catalogName name: String) {
        self.init(rawValue: name)
    }

    /// The known fields that are the table's columns, in `SELECT *` order: every VPC field for
    /// VPC flow logs, AWS's Transit Gateway default format (which holds all of its fields) for
    /// Transit Gateway ones.
    public var fields: [FlowField] {
        switch self {
        case .vpc: return FlowField.vpcFields
        case .transitGateway: return FlowLayout.transitGatewayDefaultFields
        }
    }

    /// The fields a table of this kind is taken to have before anything is stored: AWS's
    /// default format.
    public var defaultFields: [FlowField] {
        switch self {
        case .vpc: return FlowLayout.awsDefaultFields
        case .transitGateway: return FlowLayout.transitGatewayDefaultFields
        }
    }

    /// What the table holds, for people (`status`).
    public var title: String {
        switch self {
        case .vpc: return "VPC flow logs"
        case .transitGateway: return "Transit Gateway flow logs"
        }
    }

    /// VPC first, then Transit Gateway (the order `status` lists them in).
    public static func < (lhs: FlowTable, rhs: FlowTable) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}
