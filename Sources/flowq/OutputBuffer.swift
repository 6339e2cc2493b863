import Foundation

/// Collects result text and writes it to standard output in large blocks: one `write(2)` per
/// 64 KiB instead of one per row.
///
/// `@unchecked Sendable`: the query engine calls `append` from the one task that runs the
/// merge, and `flush` runs after it returns; the lock makes that ordering safe anyway.
final class OutputBuffer: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private let lock = NSLock()
    private static let flushSize = 64 * 1024

    init() {
        bytes.reserveCapacity(Self.flushSize * 2)
    }

    /// Adds text, writing out when the buffer is full.
    func append(_ text: String) {
        lock.lock()
        bytes.append(contentsOf: text.utf8)
        let full = bytes.count >= Self.flushSize
        lock.unlock()
        if full { flush() }
    }

    /// Writes out whatever is buffered.
    func flush() {
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written <= 0 {
                if errno == EINTR { continue }
                break // a closed pipe (`| head`): stop writing, as other tools do
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
