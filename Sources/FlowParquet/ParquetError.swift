import Foundation

/// Everything that can go wrong reading a Parquet file, with where it went wrong.
///
/// Low-level decoders (Thrift, Snappy, RLE) throw it with only `kind` and `message`;
/// each layer above fills in what it knows (`filling`), so the message a user sees
/// reads like `flows.log.parquet: column 'srcaddr', row group 0, page 3 at byte 18,204:
/// SNAPPY data ends early`.
public struct ParquetError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    /// The broad class of failure, for callers that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// An operating-system call (open, fstat, pread) failed.
        case io
        /// The file is not Parquet at all (no `PAR1` magic).
        case notParquet
        /// The file, a footer or a page ends before the structure it declares.
        case truncated
        /// The footer metadata or a page header does not decode or is inconsistent.
        case corruptMetadata
        /// A page's data does not decode (bad compression, RLE run past the end, bad index).
        case corruptPage
        /// Valid Parquet that this reader does not handle (codec, encoding, type, nesting).
        case unsupported
        /// The caller asked for something out of range (row group, column index, batch size).
        case invalidArgument
    }

    /// The broad class of failure.
    public var kind: Kind
    /// What was wrong, without the location prefix.
    public var message: String
    /// The file being read, when known.
    public var path: String?
    /// The column (dotted schema path), when the failure belongs to one.
    public var column: String?
    /// The row group index, when the failure belongs to one.
    public var rowGroup: Int?
    /// The page number within the column chunk (0-based, dictionary page included).
    public var page: Int?
    /// The file offset of the structure that failed (page header, footer).
    public var byteOffset: Int64?

    /// Makes an error with no location yet; outer layers add it with `filling`.
    public init(_ kind: Kind, _ message: String, path: String? = nil, column: String? = nil,
                rowGroup: Int? = nil, page: Int? = nil, byteOffset: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.column = column
        self.rowGroup = rowGroup
        self.page = page
        self.byteOffset = byteOffset
    }

    /// Returns a copy with the location fields that are still unset filled in; fields
    /// already set by an inner layer win because it knew more precisely.
    func filling(path: String? = nil, column: String? = nil, rowGroup: Int? = nil,
                 page: Int? = nil, byteOffset: Int64? = nil) -> ParquetError {
        var copy = self
        copy.path = copy.path ?? path
        copy.column = copy.column ?? column
        copy.rowGroup = copy.rowGroup ?? rowGroup
        copy.page = copy.page ?? page
        copy.byteOffset = copy.byteOffset ?? byteOffset
        return copy
    }

    /// The full message: file name, then column, row group, page and byte where known.
    public var description: String {
        var location: [String] = []
        if let column { location.append("column '\(column)'") }
        if let rowGroup { location.append("row group \(rowGroup)") }
        var pagePart: String?
        if let page { pagePart = "page \(page)" }
        if let byteOffset {
            let at = "at byte \(ParquetError.grouped(byteOffset))"
            pagePart = pagePart.map { "\($0) \(at)" } ?? at
        }
        if let pagePart { location.append(pagePart) }
        var text = ""
        if let path { text = (path as NSString).lastPathComponent + ": " }
        if !location.isEmpty { text += location.joined(separator: ", ") + ": " }
        return text + message
    }

    /// The same text as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    /// Formats with thousands separators by hand: locale-free, so messages are stable.
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return value < 0 ? "-" + out : out
    }
}

/// Runs `body`, adding location context to any `ParquetError` it throws and turning any
/// other error into one, so callers only ever see `ParquetError`.
@inline(__always)
func withContext<T>(path: String? = nil, column: String? = nil, rowGroup: Int? = nil,
                    page: Int? = nil, byteOffset: Int64? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ParquetError {
        throw error.filling(path: path, column: column, rowGroup: rowGroup, page: page, byteOffset: byteOffset)
    } catch {
        throw ParquetError(.corruptPage, "\(error)", path: path, column: column, rowGroup: rowGroup,
                           page: page, byteOffset: byteOffset)
    }
}
