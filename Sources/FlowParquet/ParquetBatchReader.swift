/// Reads one row group in batches, walking the selected columns' chunks in lockstep:
/// each `next()` decodes the same rows from every column, one page per column in memory.
///
/// Keeps its `ParquetFile` (and so the file descriptor) alive. After a throw the reader
/// is spent: further `next()` calls rethrow nothing and return nil.
public final class ParquetBatchReader {
    /// The row group being read.
    public let rowGroup: Int
    /// The columns being read, in batch order.
    public let columns: [ParquetColumn]
    /// Rows in the row group.
    public let rowCount: Int64

    private let file: ParquetFile
    private let batchSize: Int
    private let decoders: [ColumnChunkDecoder]
    private var rowsLeft: Int64
    private var failed = false

    /// Largest batch accepted: keeps a caller's typo from allocating gigabytes of scratch.
    public static let maxBatchSize = 1 << 20

    init(file: ParquetFile, rowGroup: Int, columns selected: [Int], batchSize: Int) throws {
        guard file.metadata.rowGroups.indices.contains(rowGroup) else {
            throw ParquetError(.invalidArgument, "row group \(rowGroup) does not exist (the file has \(file.rowGroupCount))", path: file.path)
        }
        guard (1...ParquetBatchReader.maxBatchSize).contains(batchSize) else {
            throw ParquetError(.invalidArgument, "batch size \(batchSize) is outside 1...\(ParquetBatchReader.maxBatchSize)", path: file.path)
        }
        let group = file.metadata.rowGroups[rowGroup]
        var decoders: [ColumnChunkDecoder] = []
        var columns: [ParquetColumn] = []
        for index in selected {
            guard file.columns.indices.contains(index) else {
                throw ParquetError(.invalidArgument, "column index \(index) does not exist (the file has \(file.columns.count))", path: file.path)
            }
            let column = file.columns[index]
            let fail = { (kind: ParquetError.Kind, message: String) in
                ParquetError(kind, message, path: file.path, column: column.name, rowGroup: rowGroup)
            }
            if column.physicalType == .int96 {
                throw fail(.unsupported, "INT96 columns (legacy timestamps) are not supported")
            }
            guard let meta = group.columns[index].metaData else { throw fail(.corruptMetadata, "column chunk lacks its metadata") }
            guard let codec = ParquetCodec(rawValue: meta.codec),
                  codec == .uncompressed || codec == .gzip || codec == .snappy else {
                throw fail(.unsupported, "unsupported codec \(ParquetCodec.name(meta.codec)) (UNCOMPRESSED, GZIP and SNAPPY are supported)")
            }
            let range = file.chunkRanges[rowGroup][index]
            let pages = PageReader(fd: file.fd, start: range.lowerBound, end: range.upperBound, codec: codec)
            let perBatch = Int(min(Int64(batchSize), max(group.numRows, 1)))
            decoders.append(ColumnChunkDecoder(column: column, pages: pages, totalValues: group.numRows, maxBatch: perBatch))
            columns.append(column)
        }
        self.file = file
        self.rowGroup = rowGroup
        self.columns = columns
        self.rowCount = group.numRows
        self.rowsLeft = group.numRows
        self.batchSize = batchSize
        self.decoders = decoders
    }

    /// The next batch of up to `batchSize` rows, or nil when the row group is done.
    public func next() throws -> ParquetBatch? {
        guard rowsLeft > 0, !failed else { return nil }
        let count = Int(min(Int64(batchSize), rowsLeft))
        do {
            var batches: [ParquetColumnBatch] = []
            batches.reserveCapacity(decoders.count)
            for decoder in decoders { batches.append(try decoder.read(count: count)) }
            rowsLeft -= Int64(count)
            return ParquetBatch(rowCount: count, columns: batches)
        } catch let error as ParquetError {
            failed = true
            throw error.filling(path: file.path, rowGroup: rowGroup)
        } catch {
            failed = true
            throw ParquetError(.corruptPage, "\(error)", path: file.path, rowGroup: rowGroup)
        }
    }
}

@available(*, unavailable)
extension ParquetBatchReader: Sendable {}
