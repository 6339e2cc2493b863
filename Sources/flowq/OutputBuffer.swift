import Foundation

/// Collects result text and writes it to standard output in large blocks: one `write(2)` per
/// 64 KiB instead of one per row. A write that fails throws, which stops the query.
final class OutputBuffer {
    private var bytes: [UInt8] = []
    private static let flushSize = 64 * 1024

    init() {
        bytes.reserveCapacity(Self.flushSize * 2)
    }

    /// Adds text, writing out when the buffer is full.
    func append(_ text: String) throws {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= Self.flushSize { try flush() }
    }

    /// Writes out whatever is buffered.
    func flush() throws {
        defer { bytes.removeAll(keepingCapacity: true) }
        let failure = bytes.withUnsafeBytes { Terminal.write($0, to: STDOUT_FILENO, name: "standard output") }
        if let failure { throw failure }
    }
}

@available(*, unavailable)
extension OutputBuffer: Sendable {}
