import Foundation

/// Why an inventory file could not be read, with where: the file, the line and column, and for
/// a field the JSON path.
///
/// Reads like `vpcs.json:12:5: expected ',' or '}' after an object member, found '"'` or
/// `instances.json:40:27: Reservations[0].Instances[2].InstanceId: expected a string, found a number`.
public struct InventoryError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    /// The broad class of failure, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file is not JSON (or not UTF-8).
        case syntax
        /// Valid JSON, but not the output of a command flowq reads.
        case unknownShape
        /// A known shape with a field missing, of the wrong type, or with a value that cannot be
        /// what the field holds (an address that is not one, an unreadable time).
        case invalidField
        /// Rows handed to `AWSIPRanges` that the file parser would have refused.
        case invalidRow
    }

    /// The broad class of failure.
    public var kind: Kind
    /// The name the file was given (`vpcs.json`), or the table for `invalidRow`.
    public var file: String
    /// Where in the file, when known.
    public var line: Int?
    /// The column (in characters) on `line`, when known.
    public var column: Int?
    /// The JSON path of the field (`Reservations[0].Instances[2].InstanceId`), for `invalidField`.
    public var path: String?
    /// What was wrong, without the location.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, file: String, line: Int? = nil, column: Int? = nil, path: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// `file:line:column: path: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let path { text += "\(path): " }
        return text + message
    }

    /// The same as `description`.
    public var errorDescription: String? { description }
}
