import Foundation

/// The layout of one file: which field stands in each position, read from its header line.
///
/// The header is the only truth about the layout; `version` says nothing about it (custom
/// formats reorder fields, and one bucket mixes layouts).
public struct FlowLayout: Sendable, Hashable {
    /// What stands in one position of a record.
    public enum Slot: Sendable, Hashable {
        /// A field flowq knows.
        case known(FlowField)
        /// A field newer than flowq: kept as text in a column of its own name.
        case unknown(headerName: String, columnName: String)

        /// The column the value is stored in.
        public var columnName: String {
            switch self {
            case .known(let field): return field.columnName
            case .unknown(_, let column): return column
            }
        }
    }

    /// The positions, in record order.
    public let slots: [Slot]

    /// What places a record in its UTC day partition.
    public enum PartitionTime: String, Sendable {
        /// The record's `start` (every default and most custom formats).
        case start
        /// The record's `end`, for formats without `start`.
        case end
        /// The delivery date the file's path or name gives, for formats with neither (AWS's
        /// NAT-gateway and transit-path examples): as Athena partitions such tables, by the key.
        case delivery
    }

    /// What places this layout's records in day partitions.
    public var partitionTime: PartitionTime {
        if position(of: .start) != nil { return .start }
        if position(of: .end) != nil { return .end }
        return .delivery
    }

    /// The table this layout's records belong to: Transit Gateway flow logs when the header
    /// names a field only they have (`tgw-id`, `tgw-attachment-id`, the `tgw-src-*`/`tgw-dst-*`
    /// fields, `packets-lost-*`), or `resource-type` without VPC's `action`; else VPC flow logs.
    /// The one place this is decided: the two kinds share a bucket and must never share columns.
    public var table: FlowTable {
        let transitGateway = slots.contains { slot in
            if case .known(let field) = slot { return field.isTransitGatewayOnly }
            return false
        }
        if transitGateway || (position(of: .resourceType) != nil && position(of: .action) == nil) { return .transitGateway }
        return .vpc
    }

    /// Header names that flowq does not know (kept, reported once per file).
    public var unknownFieldNames: [String] {
        slots.compactMap { if case .unknown(let name, _) = $0 { return name } else { return nil } }
    }

    /// The position of `field`, if the layout has it.
    public func position(of field: FlowField) -> Int? {
        slots.firstIndex(of: .known(field))
    }

    /// The header line as a single-space-separated string (how the catalog records it).
    public var headerText: String {
        slots.map { slot in
            switch slot {
            case .known(let field): return field.headerName
            case .unknown(let name, _): return name
            }
        }.joined(separator: " ")
    }

    /// Creates a layout from known fields (for tests and the sample generator).
    public init(fields: [FlowField]) {
        slots = fields.map { .known($0) }
    }

    /// The most fields a header may name. AWS's formats have under 60; a header with thousands
    /// is not a flow-log header, and would exceed what a partition can hold as columns.
    public static let maximumFields = 1000

    /// Reads the layout from a file's first line.
    ///
    /// Names are matched with `-` and `_` as the same character and in any case (`account_id`,
    /// `Account-ID` and `account-id` are one field), so converters' spellings land in the right
    /// columns; a header naming one field twice is rejected. A UTF-8 byte-order mark is skipped.
    public init(headerLine bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        var bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
        }
        let rawNames = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 })
        guard !rawNames.isEmpty else { throw .emptyHeader }
        guard rawNames.count <= Self.maximumFields else { throw .tooManyFields(rawNames.count) }
        if let first = rawNames[0].first, (0x30...0x39).contains(first) {
            throw .noHeader(firstField: DisplayText.escaped(bytes: rawNames[0].prefix(60)))
        }
        var seen: [String: String] = [:]
        var slots: [Slot] = []
        for raw in rawNames {
            guard raw.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
                throw .invalidFieldName(DisplayText.escaped(bytes: raw.prefix(60)))
            }
            let written = String(decoding: raw, as: UTF8.self)
            // One spelling for matching: lowercase with hyphens, as AWS writes its headers.
            let name = written.lowercased().replacingASCII("_", with: "-")
            if let earlier = seen[name] {
                throw .duplicateField(earlier, written)
            }
            seen[name] = written
            if let field = FlowField(headerName: name) {
                slots.append(.known(field))
            } else {
                slots.append(.unknown(headerName: name, columnName: name.replacingASCII("-", with: "_")))
            }
        }
        let columns = Set(slots.map(\.columnName))
        if let reserved = columns.first(where: { FlowLayout.reservedColumns.contains($0) }) {
            throw .reservedName(reserved)
        }
        self.slots = slots
    }

    /// Column names used by the store itself or derived by the query layer; a field may not take them.
    public static let reservedColumns: Set<String> = ["file_id", "date", "day", "date_partition", "rowid", "oid", "_rowid_", "extra_fields"]
}

/// Why a file's header does not describe a layout flowq can store.
public enum LayoutError: Error, LocalizedError, Sendable, Equatable {
    /// The file has no lines at all.
    case emptyFile
    /// The first line is blank.
    case emptyHeader
    /// The first line looks like a record, not field names.
    case noHeader(firstField: String)
    /// The first line is longer than a header can be.
    case headerTooLong(limit: Int)
    /// A header name is not a field name (shown escaped).
    case invalidFieldName(String)
    /// A header name is one flowq uses itself (`date`, `file_id`, ...).
    case reservedName(String)
    /// A field is named twice: the two spellings (equal when written the same way).
    case duplicateField(String, String)
    /// The header names more fields than any flow-log format has.
    case tooManyFields(Int)
    /// The layout has neither `start` nor `end`, and the file's path names no delivery date.
    case noTimeToPartitionBy
    /// A `--log-format` token that is neither `${name}` nor a bare name.
    case invalidFormatToken(String)
    /// A `--log-format` with no fields.
    case emptyFormat

    /// What is wrong, said so that the file name can stand in front.
    public var message: String {
        switch self {
        case .emptyFile: return "the file is empty: no header line, layout unknown"
        case .emptyHeader: return "the first line is blank: a header line of field names was expected, layout unknown"
        case .noHeader(let first): return "the first line starts with '\(first)', not a field name: the file has no header line; give its format with --log-format '${version} ${account-id} ...' (as `aws ec2 describe-flow-logs` prints it), or --log-format default"
        case .headerTooLong(let limit): return "the first line is longer than \(limit.formatted()) bytes, too long for a header line of field names: layout unknown"
        case .invalidFieldName(let name): return "the header names '\(name)', which cannot be a field name (field names hold letters, digits, - and _)"
        case .reservedName(let name): return "the header names '\(name)', a name flowq keeps for itself (\(FlowLayout.reservedColumns.sorted().joined(separator: ", ")))"
        case .duplicateField(let first, let second):
            if first == second { return "the header names '\(first)' twice" }
            return "the header names one field twice, as '\(first)' and as '\(second)' (- and _, and upper and lower case, are the same in field names)"
        case .tooManyFields(let count): return "the header names \(count.formatted()) fields; flow-log formats have under 60 and flowq reads at most \(FlowLayout.maximumFields.formatted())"
        case .noTimeToPartitionBy: return "the layout has neither 'start' nor 'end', and the path names no delivery date (YYYY/MM/DD folders, year=/month=/day= folders, or a ..._YYYYMMDDTHHmmZ_... file name) to place its records in day partitions by"
        case .invalidFormatToken(let token): return "the log format names '\(token)': fields are written ${name} and separated by spaces, as `aws ec2 describe-flow-logs` prints them"
        case .emptyFormat: return "the log format names no fields"
        }
    }

    public var errorDescription: String? { message }
}
