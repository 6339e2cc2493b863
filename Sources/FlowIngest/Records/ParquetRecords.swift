import FlowModel
import FlowParquet
import Foundation

/// The records of a flow-log Parquet file (AWS's `*.log.parquet` delivery), fed to the record
/// parser field by field.
///
/// Column names make the header (the layout), and each row is checked by the same per-slot
/// rules as a text record, so a Parquet file and a text export of the same records store the
/// same values. What differs is only the route: integer and time columns go to the parser as
/// numbers, with no decimal text in between, and every other value is checked where it lies
/// in one buffer of the batch's text cells, with no record line assembled and split again. A
/// value a text line could not hold (a blank, a line break, a control or non-ASCII byte)
/// makes its row malformed, as it would make the text line. Row `n` (from 1) is reported as
/// line `n + 1`, the header being line 1. Memory is bounded: one batch of rows at a time.
final class ParquetRecords {
    /// Rows read at a time.
    static let batchRows = 8_192

    private let file: ParquetFile
    /// What the file is: its length and the XXH64 of its bytes (see `DecompressingReader.contentKey`).
    let contentKey: String
    /// The file's size in bytes.
    let byteCount: Int
    /// Per column: byte arrays that are text (strings, enums, JSON), not binary.
    private let isText: [Bool]
    /// One batch's text cells, column by column; `ends[column * rows + row]` is where a cell ends.
    private var cells: [UInt8] = []
    private var ends: [Int32] = []
    /// One batch's numbers for slots that take them, and every value's presence, laid out as `ends`.
    private var numbers: [Int64] = []
    private var present: [Bool] = []
    /// Per column of the batch: true when its values go to the parser as numbers.
    private var isNumber: [Bool] = []
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Opens the Parquet file at `path`, hashing it for its content key.
    convenience init(path: String) throws {
        var hash = XXHash64()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GzipError.io(path: path, errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw GzipError.io(path: path, errno: errno) }
            if count == 0 { break }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        try self.init(file: ParquetFile(path: path), hash: hash)
    }

    private init(file: ParquetFile, hash: XXHash64) {
        self.file = file
        contentKey = hash.contentKey
        byteCount = Int(hash.length)
        isText = file.columns.map { column in
            switch column.logicalType {
            case .string, .enumeration, .json: return true
            // Writers that set no logical type still mean text in a flow log's BYTE_ARRAY.
            case .none: return column.physicalType == .byteArray
            default: return false
            }
        }
    }

    /// Copies `source` (a Parquet file that cannot be read at random, such as an S3 object's
    /// body) into an unnamed temporary file and opens that: Parquet's footer is at its end, so
    /// the whole file must be at hand, and on disk it costs no memory. The file is unlinked at
    /// once and disappears when the reader is done.
    static func spooling(_ source: any ByteSource, name: String) throws -> ParquetRecords {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/flowq-parquet-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw GzipError.io(path: String(cString: template), errno: errno) }
        let path = String(cString: template)
        defer { close(fd); unlink(path) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var hash = XXHash64()
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            var written = 0
            while written < count {
                let result = write(fd, buffer.baseAddress! + written, count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw GzipError.io(path: path, errno: errno) }
                written += result
            }
        }
        return ParquetRecords(file: try ParquetFile(path: path), hash: hash)
    }

    /// True when the file at `path` starts like a Parquet file (`PAR1`).
    static func isParquet(path: String) -> Bool {
        guard path != "-" else { return false }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        var head = [UInt8](repeating: 0, count: 4)
        let count = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4, 0) }
        return count == 4 && ParquetFile.isParquet(firstBytes: head)
    }

    /// The header a text export of the file would have: its column names.
    var headerLine: [UInt8] {
        Array(file.columns.map(\.name).joined(separator: " ").utf8)
    }

    /// Parses every row with `parser` (made for the layout `headerLine` gives) and hands each
    /// outcome to `body`, with the buffer the parser's text values point into and the row's
    /// line number. `body` throws to stop.
    func forEachRecord(parser: FlowRecordParser,
                       _ body: (FlowRecordParser.Outcome, UnsafeRawBufferPointer, Int) throws -> Void) throws {
        guard parser.layout.slots.count == file.columns.count else {
            // A column name with a blank in it: no text header could say this layout.
            let name = file.columns.map(\.name).first { $0.contains(where: \.isWhitespace) } ?? ""
            throw LayoutError.invalidFieldName(DisplayText.escaped(name))
        }
        var line = 1
        for rowGroup in 0..<file.rowGroupCount {
            let batches = try file.rows(ofRowGroup: rowGroup, columns: Array(file.columns.indices), batchSize: Self.batchRows)
            while let batch = try batches.next() {
                try parse(batch, parser: parser, firstLine: line + 1, body)
                line += batch.rowCount
            }
        }
    }

    /// Parses the rows of one batch.
    private func parse(_ batch: ParquetBatch, parser: FlowRecordParser, firstLine: Int,
                       _ body: (FlowRecordParser.Outcome, UnsafeRawBufferPointer, Int) throws -> Void) throws {
        let rows = batch.rowCount
        let columns = batch.columns
        guard rows > 0, !columns.isEmpty else { return }
        // Numbers for the slots that take them; text cells for the rest. Both, and whether
        // each value is present, flat (`column * rows + row`), so the row loop below reads
        // plain buffers instead of copying an array per value.
        cells.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        ends.reserveCapacity(rows * columns.count)
        numbers.removeAll(keepingCapacity: true)
        numbers.reserveCapacity(rows * columns.count)
        present.removeAll(keepingCapacity: true)
        present.reserveCapacity(rows * columns.count)
        isNumber.removeAll(keepingCapacity: true)
        for (index, column) in columns.enumerated() {
            if case .integers(let values) = column.values, parser.takesIntegers(index) {
                isNumber.append(true)
                numbers.append(contentsOf: values)
                ends.append(contentsOf: repeatElement(Int32(cells.count), count: rows))
            } else {
                isNumber.append(false)
                numbers.append(contentsOf: repeatElement(0, count: rows))
                render(column, rows: rows, isText: isText[index])
            }
            if let validity = column.validity { present.append(contentsOf: validity) } else { present.append(contentsOf: repeatElement(true, count: rows)) }
        }
        let slots = columns.count
        try cells.withUnsafeBytes { cells in
            try ends.withUnsafeBufferPointer { ends in
                try numbers.withUnsafeBufferPointer { numbers in
                    try present.withUnsafeBufferPointer { present in
                        try isNumber.withUnsafeBufferPointer { isNumber in
                            rowLoop: for row in 0..<rows {
                                var cell = row
                                for slot in 0..<slots {
                                    defer { cell += rows }
                                    if !present[cell] {
                                        parser.storeNull(slot)
                                        continue
                                    }
                                    let reason: String?
                                    if isNumber[slot] {
                                        reason = parser.storeInteger(slot, numbers[cell])
                                    } else {
                                        let from = cell == 0 ? 0 : Int(ends[cell - 1])
                                        let field = UnsafeRawBufferPointer(rebasing: cells[from..<Int(ends[cell])])
                                        reason = Self.isTextField(field) ? parser.storeField(slot, field, at: from)
                                            : Self.problem(field, column: parser.layout.slots[slot].columnName)
                                    }
                                    if let reason {
                                        try body(.malformed(reason), cells, firstLine + row)
                                        continue rowLoop
                                    }
                                }
                                try body(parser.finishRecord(), cells, firstLine + row)
                            }
                        }
                    }
                }
            }
        }
    }

    /// True when a text line could hold `field` as one field: no blank, no control or
    /// non-ASCII byte (eight bytes at a time, as the text parser checks).
    @inline(__always)
    private static func isTextField(_ field: UnsafeRawBufferPointer) -> Bool {
        guard let base = field.baseAddress, field.count > 0 else { return true }
        return FlowRecordParser.fieldEnd(base.assumingMemoryBound(to: UInt8.self), from: 0, length: field.count) == field.count
    }

    /// Why a value cannot be a text field (`isTextField` is false): a text line would split it
    /// at a blank or refuse its control or non-ASCII byte.
    private static func problem(_ field: UnsafeRawBufferPointer, column: String) -> String? {
        for (index, byte) in field.enumerated() where byte <= 0x20 || byte >= 0x7F {
            if byte == 0x20 || byte == 0x09 { return "\(column) has a blank at character \(index + 1), which no text field can hold" }
            return byte == 0 ? "\(column) has a NUL byte at character \(index + 1)"
                : "\(column) has control or non-ASCII byte 0x\(String(byte, radix: 16)) at character \(index + 1)"
        }
        return nil
    }

    /// Appends the text of every cell of `column` to `cells`, and their ends to `ends`, as a
    /// text export writes them (`-` for none).
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
                            cells.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[from..<to]))
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
extension ParquetRecords: Sendable {}
