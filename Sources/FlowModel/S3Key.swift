/// What an S3 export path says about its records: the account and region of the flow log.
///
/// Understands the default (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/`), hourly
/// (`.../DD/HH/`) and Hive-compatible (`aws-account-id=<account>/aws-service=vpcflowlogs/
/// aws-region=<region>/year=...`) layouts, with or without an organisation prefix before
/// `AWSLogs/` or an org id after it, and falls back to the file name
/// (`<account>_vpcflowlogs_<region>_<flow-log-id>_<time>_<hash>.log.gz`).
public struct S3Key: Sendable, Equatable {
    /// The account id the key names, if any.
    public var accountID: String?
    /// The region the key names, if any.
    public var region: String?
    /// When the path says the file was delivered (see `deliveryTime(of:)`), if it does.
    public var deliveryTime: Int64? = nil

    /// Creates a key description by hand.
    public init(accountID: String? = nil, region: String? = nil) {
        self.accountID = accountID
        self.region = region
    }

    /// Reads account and region from a file path.
    public init(path: String) {
        let components = path.split(separator: "/").map(String.init)
        var account: String? = nil
        var region: String? = nil
        for component in components {
            if component.hasPrefix("aws-account-id=") {
                account = String(component.dropFirst("aws-account-id=".count))
            } else if component.hasPrefix("aws-region=") {
                region = String(component.dropFirst("aws-region=".count))
            }
        }
        if account == nil || region == nil, let service = components.lastIndex(of: "vpcflowlogs"), service > 0 {
            account = account ?? components[service - 1]
            if service + 1 < components.count - 1 { region = region ?? components[service + 1] }
        }
        if account == nil || region == nil, let name = components.last {
            let parts = name.split(separator: "_")
            if parts.count >= 3, parts[1] == "vpcflowlogs" {
                account = account ?? String(parts[0])
                region = region ?? String(parts[2])
            }
        }
        self.accountID = account.flatMap { S3Key.isAccountID($0) ? $0 : nil }
        self.region = region.flatMap { S3Key.isRegion($0) ? $0 : nil }
        self.deliveryTime = S3Key.deliveryTime(of: path)
    }

    /// Twelve digits (what AWS account ids are).
    static func isAccountID(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Lowercase letters, digits and hyphens with at least two hyphens (`eu-west-1`, `us-gov-west-1`).
    static func isRegion(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
            && text.filter { $0 == "-" }.count >= 2
    }
}
