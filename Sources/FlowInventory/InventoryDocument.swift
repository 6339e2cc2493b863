import Foundation

/// One inventory file read into typed rows: what `flowq inventory add FILE` stores.
///
/// The kind is told by content (the top-level key), never by file name, so
/// `aws ec2 describe-vpcs > anything.json` works.
public struct InventoryDocument: Sendable, Equatable {
    /// The rows, by kind.
    public enum Content: Sendable, Equatable {
        /// `describe-network-interfaces`: one row per interface address.
        case networkInterfaces([NetworkInterfaceRow])
        /// `describe-instances`: one row per instance.
        case instances([InstanceRow])
        /// `describe-subnets`.
        case subnets([SubnetRow])
        /// `describe-vpcs`.
        case vpcs([VPCRow])
        /// `describe-security-groups`: the groups and, one per peer, their rules.
        case securityGroups([SecurityGroupRow], rules: [SecurityGroupRuleRow])
        /// `describe-nat-gateways`: one row per gateway address.
        case natGateways([NATGatewayRow])
        /// `describe-vpc-endpoints`.
        case vpcEndpoints([VPCEndpointRow])
        /// `ip-ranges.json`.
        case ipRanges(IPRangesFile)
    }

    /// The name the file was read under (for messages and provenance).
    public let name: String
    /// The rows.
    public let content: Content

    /// Creates a document from rows already read.
    public init(name: String, content: Content) {
        self.name = name
        self.content = content
    }

    /// Which command printed the file.
    public var kind: InventoryKind {
        switch content {
        case .networkInterfaces: return .networkInterfaces
        case .instances: return .instances
        case .subnets: return .subnets
        case .vpcs: return .vpcs
        case .securityGroups: return .securityGroups
        case .natGateways: return .natGateways
        case .vpcEndpoints: return .vpcEndpoints
        case .ipRanges: return .ipRanges
        }
    }

    /// The default for `--as-of`: the time the file says its snapshot was taken, as Unix seconds.
    ///
    /// Only `ip-ranges.json` says (`createDate`); the `describe-*` commands print no time, so this
    /// is nil for them and flowq falls back to the file's modification time.
    public var asOf: Int64? {
        if case .ipRanges(let file) = content { return file.createDate }
        return nil
    }

    /// Every table's rows, typed away, for storing generically (security groups fill two tables).
    public var rowSets: [InventoryRowSet] {
        switch content {
        case .networkInterfaces(let rows): return [InventoryRowSet(rows)]
        case .instances(let rows): return [InventoryRowSet(rows)]
        case .subnets(let rows): return [InventoryRowSet(rows)]
        case .vpcs(let rows): return [InventoryRowSet(rows)]
        case .securityGroups(let groups, let rules): return [InventoryRowSet(groups), InventoryRowSet(rules)]
        case .natGateways(let rows): return [InventoryRowSet(rows)]
        case .vpcEndpoints(let rows): return [InventoryRowSet(rows)]
        case .ipRanges(let file): return [InventoryRowSet(file.rows)]
        }
    }

    /// Reads one inventory file.
    ///
    /// - Parameters:
    ///   - data: The file's bytes (UTF-8 JSON).
    ///   - name: The name to report in errors (`vpcs.json`).
    /// - Throws: `InventoryError`: `.syntax` with line and column for text that is not JSON,
    ///   `.unknownShape` naming the top-level keys found and those expected, `.invalidField` with
    ///   the JSON path (and line and column) of a missing or wrongly typed field.
    public static func parse(data: Data, name: String) throws(InventoryError) -> InventoryDocument {
        try parse(bytes: [UInt8](data), name: name)
    }

    /// Reads one inventory file held as bytes; see `parse(data:name:)`.
    public static func parse(bytes: [UInt8], name: String) throws(InventoryError) -> InventoryDocument {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(InventoryError) -> InventoryDocument in try parse(buffer, name: name) }
        }
        return try result.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, name: String) throws(InventoryError) -> InventoryDocument {
        let value: JSONValue
        do throws(JSONSyntaxError) {
            value = try JSONParser.parse(bytes)
        } catch {
            let position = SourcePosition(offset: error.offset, in: bytes)
            throw InventoryError(.syntax, file: name, line: position.line, column: position.column, message: error.message)
        }
        let kind = try identify(value, name: name)
        do throws(FieldError) {
            return InventoryDocument(name: name, content: try content(of: kind, from: JSONNode(value)))
        } catch {
            let offset = JSONParser.offset(of: error.location, in: bytes)
            let position = offset.map { SourcePosition(offset: $0, in: bytes) }
            throw InventoryError(.invalidField, file: name, line: position?.line, column: position?.column,
                                 path: error.path.description, message: error.message)
        }
    }

    private static func content(of kind: InventoryKind, from document: JSONNode) throws(FieldError) -> Content {
        switch kind {
        case .networkInterfaces: return .networkInterfaces(try NetworkInterfaceRow.rows(from: document))
        case .instances: return .instances(try InstanceRow.rows(from: document))
        case .subnets: return .subnets(try SubnetRow.rows(from: document))
        case .vpcs: return .vpcs(try VPCRow.rows(from: document))
        case .securityGroups:
            let (groups, rules) = try SecurityGroupRow.rows(from: document)
            return .securityGroups(groups, rules: rules)
        case .natGateways: return .natGateways(try NATGatewayRow.rows(from: document))
        case .vpcEndpoints: return .vpcEndpoints(try VPCEndpointRow.rows(from: document))
        case .ipRanges: return .ipRanges(try IPRangesFile.parse(from: document))
        }
    }

    /// The kind of a parsed file, or an error saying what it has and what was expected.
    private static func identify(_ value: JSONValue, name: String) throws(InventoryError) -> InventoryKind {
        guard case .object = value else {
            throw InventoryError(.unknownShape, file: name, message:
                "not an inventory file: the top level is \(value.kindDescription), not an object " +
                "(output filtered with --query cannot be read); expected \(expectedKinds)")
        }
        let candidates = InventoryKind.candidates(for: value)
        if candidates.count == 1 { return candidates[0] }
        if candidates.count > 1 {
            let keys = candidates.map { "\"\($0.topLevelKey)\"" }.joined(separator: " and ")
            throw InventoryError(.unknownShape, file: name, message:
                "not an inventory file: it has both \(keys), so it is not the output of one command")
        }
        let keys = value.keys
        let found: String
        if keys.isEmpty {
            found = "it is an empty object"
        } else {
            let shown = keys.prefix(8).map { "\"\($0)\"" }.joined(separator: ", ")
            found = "its top-level keys are \(shown)" + (keys.count > 8 ? " and \(keys.count - 8) more" : "")
        }
        throw InventoryError(.unknownShape, file: name, message: "not an inventory file: \(found); expected \(expectedKinds)")
    }

    /// `"NetworkInterfaces" (aws ec2 describe-network-interfaces), ..., or "syncToken" with "prefixes" (ip-ranges.json)`.
    private static var expectedKinds: String {
        let commands = InventoryKind.allCases.filter { $0 != .ipRanges }.map { "\"\($0.topLevelKey)\" (\($0.source))" }
        return "one of " + commands.joined(separator: ", ") + ", or \"syncToken\" with \"prefixes\" (ip-ranges.json)"
    }
}
