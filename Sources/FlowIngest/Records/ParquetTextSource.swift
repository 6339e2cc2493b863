import FlowParquet
import Foundation

/// Reads a flow-log Parquet file (AWS's `*.log.parquet` delivery) as the text file it stands
/// for: a header line of its column names, then one record line per row, `-` for NULL.
///
/// The rows then take the same path as every text record (the header decides the layout, the
/// parser checks every value and reports bad ones by line), so a Parquet file and a text
/// export of the same records store the same values, with the same rules. Line `n + 1` is row
/// `n` (the header is line 1). Memory is bounded: one batch of rows of every column at a time,
/// rendered into one text buffer.
public final class ParquetTextSource: ByteSource {
    /// Rows rendered at a time.
    static let batchRows = 8_192

    private let file: ParquetFile
    private var rowGroup = 0
    private var batches: ParquetBatchReader? = nil
    private var text: [UInt8] = []
    private var textStart = 0
    private var headerDone = false
    /// One batch's cells, column by column, and where each ends (see `append`).
    private var cells: [UInt8] = []
    private var ends: [Int32] = []
    /// Per column: byte arrays that are text (strings, enums, JSON), not binary.
    private let isText: [Bool]
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Opens the Parquet file at `path`.
    public init(path: String) throws {
        file = try ParquetFile(path: path)
        isText = file.columns.map { column in
            switch column.logicalType {
            case .string, .enumeration, .json: return true
            // Writers that set no logical type still mean text in a flow log's BYTE_ARRAY.
            case .none: return column.physicalType == .byteArray
            default: return false
            }
        }
        text.reserveCapacity(1 << 20)
    }

    /// Copies `source` (a Parquet file that cannot be read at random, such as an S3 object's
    /// body) into an unnamed temporary file and opens that: Parquet's footer is at its end, so
    /// the whole file must be at hand, and on disk it costs no memory. The file is unlinked at
    /// once and disappears when the reader is done.
    public static func spooling(_ source: any ByteSource, name: String) throws -> ParquetTextSource {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/flowq-parquet-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw GzipError.io(path: String(cString: template), errno: errno) }
        let path = String(cString: template)
        defer { close(fd); unlink(path) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            var written = 0
            while written < count {
                let result = write(fd, buffer.baseAddress! + written, count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw GzipError.io(path: path, errno: errno) }
                written += result
            }
        }
        return try ParquetTextSource(path: path)
    }

    /// True when `bytes` start like a Parquet file (`PAR1`).
    public static func isParquet(firstBytes bytes: some Collection<UInt8>) -> Bool {
        ParquetFile.isParquet(firstBytes: bytes)
    }

    /// True when the file at `path` starts like a Parquet file.
    public static func isParquet(path: String) -> Bool {
        guard path != "-" else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        var head = [UInt8](repeating: 0, count: 4)
        let count = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4, 0) }
        return count == 4 && isParquet(firstBytes: head)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while textStart == text.count {
            text.removeAll(keepingCapacity: true)
            textStart = 0
            guard try render() else { return 0 }
        }
        let count = min(buffer.count, text.count - textStart)
        text.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + textStart, byteCount: count) }
        textStart += count
        return count
    }

    /// Renders the header or the next batch into `text`; false at the end of the file.
    private func render() throws -> Bool {
        if !headerDone {
            headerDone = true
            text.append(contentsOf: file.columns.map(\.name).joined(separator: " ").utf8)
            text.append(0x0A)
            return true
        }
        while true {
            if batches == nil {
                guard rowGroup < file.rowGroupCount else { return false }
                batches = try file.rows(ofRowGroup: rowGroup, columns: Array(file.columns.indices), batchSize: Self.batchRows)
                rowGroup += 1
            }
            if let batch = try batches?.next() {
                append(batch)
                return true
            }
            batches = nil
        }
    }

    /// Appends one line per row of `batch`.
    ///
    /// Column by column first (one switch per column, tight loops over plain buffers: a profile
    /// of the row-by-row form spent a third of its time copying column values and counting
    /// their references), into `cells`, where `ends[column * rows + row]` is where a cell's
    /// text ends; then row by row, copying the cells into lines.
    private func append(_ batch: ParquetBatch) {
        let rows = batch.rowCount
        let columns = batch.columns.count
        guard rows > 0, columns > 0 else { return }
        cells.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        ends.reserveCapacity(rows * columns)
        for (index, column) in batch.columns.enumerated() {
            render(column, rows: rows, isText: isText[index])
        }
        var total = cells.count + rows * columns
        let first = text.count
        text.append(contentsOf: repeatElement(0, count: total))
        cells.withUnsafeBufferPointer { cells in
            ends.withUnsafeBufferPointer { ends in
                text.withUnsafeMutableBufferPointer { out in
                    var at = first
                    for row in 0..<rows {
                        for column in 0..<columns {
                            let cell = column * rows + row
                            let from = cell == 0 ? 0 : Int(ends[cell - 1])
                            let count = Int(ends[cell]) - from
                            (out.baseAddress! + at).update(from: cells.baseAddress! + from, count: count)
                            at += count
                            out[at] = column == columns - 1 ? 0x0A : 0x20
                            at += 1
                        }
                    }
                    total = at
                }
            }
        }
        text.removeLast(text.count - total)
    }

    /// Appends the text of every cell of `column` to `cells`, and their ends to `ends`.
    private func render(_ column: ParquetColumnBatch, rows: Int, isText: Bool) {
        let validity = column.validity
        func isNull(_ row: Int) -> Bool { validity.map { !$0[row] } ?? false }
        switch column.values {
        case .integers(let values):
            values.withUnsafeBufferPointer { values in
                for row in 0..<rows {
                    if isNull(row) { cells.append(0x2D) } else { appendDecimal(values[row]) }
                    ends.append(Int32(cells.count))
                }
            }
        case .doubles(let values):
            for row in 0..<rows {
                if isNull(row) { cells.append(0x2D) } else { cells.append(contentsOf: String(values[row]).utf8) }
                ends.append(Int32(cells.count))
            }
        case .booleans(let values):
            for row in 0..<rows {
                if isNull(row) { cells.append(0x2D) } else { cells.append(contentsOf: (values[row] ? "true" : "false").utf8) }
                ends.append(Int32(cells.count))
            }
        case .bytes(let values):
            values.bytes.withUnsafeBufferPointer { bytes in
                values.offsets.withUnsafeBufferPointer { offsets in
                    for row in 0..<rows {
                        let from = Int(offsets[row]), to = Int(offsets[row + 1])
                        if isNull(row) || (from == to && isText) {
                            // Text flow logs have no empty values: `-` is how they say "none".
                            cells.append(0x2D)
                        } else if isText {
                            let start = cells.count
                            cells.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<to]))
                            // A line break inside a value would split the record in two; as a
                            // space it makes one malformed line, which the parser names.
                            for index in start..<cells.count where cells[index] == 0x0A || cells[index] == 0x0D {
                                cells[index] = 0x20
                            }
                        } else {
                            // Binary (a hash, a UUID): hex, as text exports write such values.
                            for byte in bytes[from..<to] {
                                cells.append(Self.hexDigits[Int(byte >> 4)])
                                cells.append(Self.hexDigits[Int(byte & 15)])
                            }
                        }
                        ends.append(Int32(cells.count))
                    }
                }
            }
        }
    }

    private func appendDecimal(_ value: Int64) {
        if value < 0 { cells.append(0x2D) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[19 - count] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            } while magnitude > 0
            cells.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[(20 - count)...]))
        }
    }
}

@available(*, unavailable)
extension ParquetTextSource: Sendable {}
