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

    /// Reads the layout from a file's first line.
    public init(headerLine bytes: UnsafeRawBufferPointer) throws(LayoutError) {
        let names = bytes.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { String(decoding: $0, as: UTF8.self) }
        guard !names.isEmpty else { throw .emptyHeader }
        guard let first = names.first?.utf8.first, !(0x30...0x39).contains(first) else {
            throw .noHeader(firstField: names[0])
        }
        var seen = Set<String>()
        var slots: [Slot] = []
        for name in names {
            let lowered = name.lowercased()
            guard lowered.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
                throw .invalidFieldName(name)
            }
            guard seen.insert(lowered).inserted else { throw .duplicateField(name) }
            if let field = FlowField(headerName: lowered) {
                slots.append(.known(field))
            } else {
                slots.append(.unknown(headerName: lowered, columnName: lowered.replacingOccurrences(of: "-", with: "_")))
            }
        }
        let columns = Set(slots.map(\.columnName))
        if columns.contains("tgw_id") || columns.contains("tgw_attachment_id") || columns.contains("resource_type") && !columns.contains("action") {
            throw .transitGateway
        }
        guard columns.contains("start") else { throw .missingStart }
        if let reserved = columns.first(where: { FlowLayout.reservedColumns.contains($0) }) {
            throw .invalidFieldName(reserved)
        }
        self.slots = slots
    }

    /// Column names used by the store itself or derived by the query layer; a field may not take them.
    public static let reservedColumns: Set<String> = ["file_id", "date", "day", "date_partition", "rowid", "oid", "_rowid_"]
}

/// Why a file's header does not describe a layout flowq can store.
public enum LayoutError: Error, Sendable, Equatable {
    /// The file has no lines at all.
    case emptyFile
    /// The first line is blank.
    case emptyHeader
    /// The first line looks like a record, not field names.
    case noHeader(firstField: String)
    /// A header name is not a field name.
    case invalidFieldName(String)
    /// A field is named twice.
    case duplicateField(String)
    /// Transit Gateway flow logs have another layout; flowq does not store them yet.
    case transitGateway
    /// Without `start` a record cannot be placed in a day partition.
    case missingStart

    /// What is wrong, said so that the file name can stand in front.
    public var message: String {
        switch self {
        case .emptyFile: return "the file is empty: no header line, layout unknown"
        case .emptyHeader: return "the first line is blank: a header line of field names was expected, layout unknown"
        case .noHeader(let first): return "the first line starts with '\(first)', not a field name: the file has no header line, layout unknown"
        case .invalidFieldName(let name): return "the header names '\(name)', which cannot be a field name"
        case .duplicateField(let name): return "the header names '\(name)' twice"
        case .transitGateway: return "a Transit Gateway flow log (tgw-id/resource-type fields): recognised and not stored, as flowq stores VPC flow logs and never puts these records in VPC columns"
        case .missingStart: return "the header has no 'start' field, which flowq needs to place records in day partitions"
        }
    }
}
