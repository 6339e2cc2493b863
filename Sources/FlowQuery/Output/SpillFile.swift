import Foundation

/// Table cells written to an unlinked temporary file and read back once, in order: how a
/// table of millions of rows is sized without holding them.
///
/// Each cell is a 4-byte length (`UInt32.max` for NULL) and its UTF-8 bytes.
final class SpillFile {
    private let file: UnsafeMutablePointer<FILE>

    /// Creates the file (`tmpfile(3)`: already unlinked, gone when closed or on a crash).
    init() throws {
        guard let file = tmpfile() else { throw SpillError(operation: "create a temporary file for the table", errno: errno) }
        self.file = file
    }

    deinit {
        fclose(file)
    }

    /// Appends one row's cells.
    func append(_ cells: [String?]) throws {
        for cell in cells {
            guard var text = cell else {
                try put(UInt32.max)
                continue
            }
            try text.withUTF8 { bytes in
                try put(UInt32(bytes.count))
                if bytes.count > 0, fwrite(bytes.baseAddress, 1, bytes.count, file) != bytes.count {
                    throw SpillError(operation: "write the table's temporary file", errno: errno)
                }
            }
        }
    }

    /// Reads every row back, in the order written.
    func replay(cellsPerRow: Int, _ body: ([String?]) throws -> Void) throws {
        guard fflush(file) == 0 else { throw SpillError(operation: "write the table's temporary file", errno: errno) }
        rewind(file)
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            var row: [String?] = []
            row.reserveCapacity(cellsPerRow)
            for index in 0..<cellsPerRow {
                var length: UInt32 = 0
                guard fread(&length, 4, 1, file) == 1 else {
                    if index == 0 && feof(file) != 0 { return }
                    throw SpillError(operation: "read the table's temporary file", errno: errno)
                }
                if length == UInt32.max { row.append(nil); continue }
                if buffer.count < Int(length) { buffer = [UInt8](repeating: 0, count: Int(length)) }
                if length > 0, fread(&buffer, 1, Int(length), file) != Int(length) {
                    throw SpillError(operation: "read the table's temporary file", errno: errno)
                }
                row.append(String(decoding: buffer[0..<Int(length)], as: UTF8.self))
            }
            try body(row)
        }
    }

    private func put(_ value: UInt32) throws {
        var value = value
        guard fwrite(&value, 4, 1, file) == 1 else { throw SpillError(operation: "write the table's temporary file", errno: errno) }
    }
}

@available(*, unavailable)
extension SpillFile: Sendable {}

/// A temporary file that could not be used (the temporary folder full or unwritable).
struct SpillError: Error, LocalizedError {
    let operation: String
    let errno: Int32
    var errorDescription: String? { "cannot \(operation) in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))" }
}
