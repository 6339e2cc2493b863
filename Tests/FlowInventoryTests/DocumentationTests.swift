import Foundation
import Testing
@testable import FlowInventory

/// `docs/inventory.md` lists every column of every table exactly as the code defines it, so the
/// page cannot drift from what flowq creates.
@Suite("Documentation")
struct DocumentationTests {
    static let tables: [(name: String, columns: [InventoryColumn])] = [
        (NetworkInterfaceRow.tableName, NetworkInterfaceRow.columns),
        (InstanceRow.tableName, InstanceRow.columns),
        (SubnetRow.tableName, SubnetRow.columns),
        (VPCRow.tableName, VPCRow.columns),
        (SecurityGroupRow.tableName, SecurityGroupRow.columns),
        (SecurityGroupRuleRow.tableName, SecurityGroupRuleRow.columns),
        (NATGatewayRow.tableName, NATGatewayRow.columns),
        (VPCEndpointRow.tableName, VPCEndpointRow.columns),
        (IPRangeRow.tableName, IPRangeRow.columns),
    ]

    @Test("every table and column is in docs/inventory.md, in order, with its type and meaning")
    func columnsDocumented() throws {
        // Tests/FlowInventoryTests/ -> the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let page = try String(contentsOf: root.appendingPathComponent("docs/inventory.md"), encoding: .utf8)
        for table in Self.tables {
            let heading = try #require(page.range(of: "\n### \(table.name)\n"), "no section for \(table.name)")
            let section = page[heading.upperBound...]
            // The section ends at the next heading of any level.
            let end = section.range(of: "\n#")?.lowerBound ?? section.endIndex
            let lines = section[..<end].split(separator: "\n").filter { $0.hasPrefix("| `") }.map(String.init)
            let expected = table.columns.map { "| `\($0.name)` | \($0.type.rawValue) | \($0.summary) |" }
            #expect(lines == expected, "\(table.name)")
        }
        #expect(Set(InventoryKind.allCases.flatMap(\.tableNames)) == Set(Self.tables.map(\.name)))
    }
}
