import Foundation
import Testing
@testable import FlowInventory

/// Test fixtures live beside this file, so tests find them wherever the package sits.
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// The bytes of fixture `name`.
func fixtureBytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixturesDirectory.appendingPathComponent(name)))
}

/// Parses fixture `name` as an inventory document.
func fixtureDocument(_ name: String) throws -> InventoryDocument {
    try InventoryDocument.parse(bytes: try fixtureBytes(name), name: name)
}

/// Parses `text` as an inventory file named `name`, expecting an error, and returns its text.
func inventoryError(_ text: String, name: String = "test.json") -> InventoryError? {
    do {
        _ = try InventoryDocument.parse(bytes: Array(text.utf8), name: name)
        return nil
    } catch {
        return error
    }
}

/// Parses `text` with the JSON parser, expecting a syntax error, and returns `line:column: message`.
func jsonError(_ text: String) -> String? {
    jsonError(bytes: Array(text.utf8))
}

/// Parses `bytes` with the JSON parser, expecting a syntax error, and returns `line:column: message`.
func jsonError(bytes: [UInt8]) -> String? {
    do {
        _ = try JSONParser.parse(bytes)
        return nil
    } catch {
        let position = bytes.withUnsafeBufferPointer { SourcePosition(offset: error.offset, in: $0) }
        return "\(position): \(error.message)"
    }
}

/// Parses `text` with the JSON parser, expecting success.
func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(Array(text.utf8))
}

/// A small deterministic generator (SplitMix64) so random tests replay the same cases.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
