#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open Parquet file: its schema and row-group layout, read from the footer at open,
/// and batch readers over its row groups. Owns the file descriptor; deinit closes it.
///
/// Only the footer is read at open. Data is read later, page by page, by the
/// `ParquetBatchReader`s it hands out (which keep the file open while they live).
public final class ParquetFile {
    /// The 4-byte magic at both ends of every Parquet file.
    public static let magic: [UInt8] = Array("PAR1".utf8)

    /// Whether `firstBytes` (the start of a file, at least 4 bytes) begins with the
    /// Parquet magic; a cheap content sniff before `init(path:)`, which also checks the end.
    public static func isParquet(firstBytes: some Collection<UInt8>) -> Bool {
        firstBytes.count >= 4 && firstBytes.prefix(4).elementsEqual(magic)
    }

    /// The path the file was opened with, used in error messages.
    public let path: String
    /// The leaf columns of the (flat) schema, in file order.
    public let columns: [ParquetColumn]
    /// Rows in the whole file, per the footer.
    public let rowCount: Int64
    /// The writer that made the file (`created_by`), if recorded.
    public let createdBy: String?

    let fd: Int32
    let fileSize: Int64
    let metadata: FileMetaData
    /// Validated byte ranges of each column chunk, by row group then column.
    let chunkRanges: [[Range<Int64>]]

    /// The number of row groups.
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// The index in `columns` of the column called `name` (AWS spells flow-log fields
    /// with underscores: `log_status`, `pkt_srcaddr`), or nil if the file lacks it.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// Rows in row group `index`.
    public func rowCount(ofRowGroup index: Int) throws -> Int64 {
        guard metadata.rowGroups.indices.contains(index) else {
            throw ParquetError(.invalidArgument, "row group \(index) does not exist (the file has \(rowGroupCount))", path: path)
        }
        return metadata.rowGroups[index].numRows
    }

    /// Opens `path`, checks the magic at both ends and decodes and validates the footer.
    /// Throws `ParquetError` for anything that is not a readable flat Parquet file.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ParquetError(.io, "cannot open: \(String(cString: strerror(errno)))", path: path)
        }
        // From here on a failed init must close the descriptor itself: deinit does not
        // run for a class whose init threw.
        do {
            var info = stat()
            guard fstat(fd, &info) == 0 else {
                throw ParquetError(.io, "cannot stat: \(String(cString: strerror(errno)))")
            }
            let size = Int64(info.st_size)
            let footer = try ParquetFile.readFooter(fd: fd, size: size)
            var reader = ThriftCompactReader(footer.bytes)
            let metadata = try withContext(byteOffset: footer.offset) { try FileMetaData.decode(&reader) }
            let columns = try ParquetFile.flatColumns(metadata.schema)
            self.chunkRanges = try ParquetFile.validate(metadata, columns: columns, dataEnd: footer.offset)
            self.fd = fd
            self.fileSize = size
            self.metadata = metadata
            self.columns = columns
            self.rowCount = metadata.numRows
            self.createdBy = metadata.createdBy
        } catch let error as ParquetError {
            close(fd)
            throw error.filling(path: path)
        } catch {
            close(fd)
            throw ParquetError(.io, "\(error)", path: path)
        }
    }

    deinit { close(fd) }

    /// Reads row group `index` in batches of at most `batchSize` rows across `columns`
    /// (indices into `columns`; order kept, repeats allowed). Memory use is bounded by
    /// one page per selected column plus one batch.
    public func rows(ofRowGroup index: Int, columns selected: [Int], batchSize: Int) throws -> ParquetBatchReader {
        try ParquetBatchReader(file: self, rowGroup: index, columns: selected, batchSize: batchSize)
    }

    // MARK: Footer

    /// Checks size and both magics, then reads the footer (`len` bytes before the
    /// trailing 4-byte length and magic).
    private static func readFooter(fd: Int32, size: Int64) throws -> (bytes: [UInt8], offset: Int64) {
        guard size >= 12 else {
            throw ParquetError(.truncated, "file of \(size) bytes is too short to be Parquet (at least 12)")
        }
        var head = [UInt8](repeating: 0, count: 4)
        try head.withUnsafeMutableBytes { try PageReader.readFully(fd: fd, into: $0, at: 0) }
        guard head == magic else { throw ParquetError(.notParquet, "not a Parquet file (no PAR1 magic at the start)") }
        var tail = [UInt8](repeating: 0, count: 8)
        try tail.withUnsafeMutableBytes { try PageReader.readFully(fd: fd, into: $0, at: size - 8) }
        guard Array(tail[4..<8]) == magic else {
            throw ParquetError(.truncated, "no PAR1 magic at the end: the file is truncated or not Parquet", byteOffset: size - 4)
        }
        let length = Int64(tail[0]) | Int64(tail[1]) << 8 | Int64(tail[2]) << 16 | Int64(tail[3]) << 24
        let offset = size - 8 - length
        guard offset >= 4 else {
            throw ParquetError(.corruptMetadata, "footer length \(length) runs past the start of the \(size)-byte file", byteOffset: size - 8)
        }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        try bytes.withUnsafeMutableBytes { try PageReader.readFully(fd: fd, into: $0, at: offset) }
        return (bytes, offset)
    }

    /// Turns the depth-first schema into leaf columns, refusing nesting and repetition:
    /// a flat schema is a root whose children are all leaves.
    private static func flatColumns(_ schema: [SchemaElement]) throws -> [ParquetColumn] {
        guard let root = schema.first else { throw ParquetError(.corruptMetadata, "footer has an empty schema") }
        let children = Int(root.numChildren ?? 0)
        guard children == schema.count - 1 else {
            let nested = schema.dropFirst().first { ($0.numChildren ?? 0) > 0 }
            if let nested {
                throw ParquetError(.unsupported, "column '\(nested.name)' is nested (a group of \(nested.numChildren ?? 0) fields); only flat schemas are supported", column: nested.name)
            }
            throw ParquetError(.corruptMetadata, "schema root declares \(children) columns but \(schema.count - 1) follow")
        }
        var columns: [ParquetColumn] = []
        columns.reserveCapacity(children)
        for (i, element) in schema.dropFirst().enumerated() {
            if (element.numChildren ?? 0) > 0 || element.type == nil {
                throw ParquetError(.unsupported, "column '\(element.name)' is nested (a group); only flat schemas are supported", column: element.name)
            }
            guard let raw = element.type, let physical = ParquetPhysicalType(thrift: raw) else {
                throw ParquetError(.corruptMetadata, "column '\(element.name)' has unknown physical type \(element.type ?? -1)", column: element.name)
            }
            switch element.repetition ?? 0 {
            case 0, 1: break
            case 2:
                throw ParquetError(.unsupported, "column '\(element.name)' is REPEATED; only REQUIRED and OPTIONAL columns are supported", column: element.name)
            default:
                throw ParquetError(.corruptMetadata, "column '\(element.name)' has unknown repetition \(element.repetition ?? -1)", column: element.name)
            }
            var typeLength: Int?
            if physical == .fixedLenByteArray {
                guard let length = element.typeLength, length >= 0 else {
                    throw ParquetError(.corruptMetadata, "FIXED_LEN_BYTE_ARRAY column '\(element.name)' lacks a type length", column: element.name)
                }
                typeLength = Int(length)
            }
            columns.append(ParquetColumn(index: i, name: element.name, physicalType: physical,
                                         logicalType: ParquetLogicalType(element), typeLength: typeLength,
                                         isOptional: element.repetition == 1))
        }
        return columns
    }

    /// Checks every row group's chunks against the schema and the file, and computes
    /// each chunk's byte range (dictionary page first when there is one).
    private static func validate(_ metadata: FileMetaData, columns: [ParquetColumn], dataEnd: Int64) throws -> [[Range<Int64>]] {
        guard metadata.numRows >= 0 else { throw ParquetError(.corruptMetadata, "negative row count \(metadata.numRows)") }
        var ranges: [[Range<Int64>]] = []
        ranges.reserveCapacity(metadata.rowGroups.count)
        for (g, group) in metadata.rowGroups.enumerated() {
            guard group.numRows >= 0 else { throw ParquetError(.corruptMetadata, "negative row count", rowGroup: g) }
            guard group.columns.count == columns.count else {
                throw ParquetError(.corruptMetadata, "row group has \(group.columns.count) column chunks for \(columns.count) columns", rowGroup: g)
            }
            var groupRanges: [Range<Int64>] = []
            groupRanges.reserveCapacity(columns.count)
            for (chunk, column) in zip(group.columns, columns) {
                let fail = { (kind: ParquetError.Kind, message: String) in
                    ParquetError(kind, message, column: column.name, rowGroup: g)
                }
                if let external = chunk.filePath, !external.isEmpty {
                    throw fail(.unsupported, "column chunk lives in another file ('\(external)')")
                }
                guard let meta = chunk.metaData else { throw fail(.corruptMetadata, "column chunk lacks its metadata") }
                guard meta.type == column.physicalType.thriftValue else {
                    throw fail(.corruptMetadata, "column chunk type \(meta.type) differs from the schema's \(column.physicalType.rawValue)")
                }
                guard meta.pathInSchema.joined(separator: ".") == column.name else {
                    throw fail(.corruptMetadata, "column chunk path '\(meta.pathInSchema.joined(separator: "."))' differs from the schema")
                }
                var start = meta.dataPageOffset
                if let dictionary = meta.dictionaryPageOffset, dictionary > 0, dictionary < start { start = dictionary }
                let length = meta.totalCompressedSize
                guard start >= 4, length >= 0, length <= dataEnd - start else {
                    throw fail(.corruptMetadata, "column chunk at byte \(ParquetError.grouped(start)) of \(length) bytes lies outside the data (which ends at byte \(ParquetError.grouped(dataEnd)))")
                }
                groupRanges.append(start..<(start + length))
            }
            ranges.append(groupRanges)
        }
        return ranges
    }
}

extension ParquetPhysicalType {
    /// The parquet.thrift `Type` value.
    var thriftValue: Int32 {
        switch self {
        case .boolean: return 0
        case .int32: return 1
        case .int64: return 2
        case .int96: return 3
        case .float: return 4
        case .double: return 5
        case .byteArray: return 6
        case .fixedLenByteArray: return 7
        }
    }
}

@available(*, unavailable)
extension ParquetFile: Sendable {}
