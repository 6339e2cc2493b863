/// A source whose first bytes can be looked at before they are read (to recognise a format by
/// content when the bytes cannot be read twice, as with an S3 object's body).
public final class PeekableSource: ByteSource {
    private let upstream: any ByteSource
    private var head: [UInt8] = []
    private var headStart = 0

    /// Wraps `upstream`.
    public init(_ upstream: any ByteSource) {
        self.upstream = upstream
    }

    /// The first `count` bytes (fewer when the source is shorter), without consuming them.
    public func peek(_ count: Int) throws -> [UInt8] {
        var scratch = [UInt8](repeating: 0, count: count)
        while head.count < count {
            let read = try scratch.withUnsafeMutableBytes { try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<(count - head.count)])) }
            if read == 0 { break }
            head.append(contentsOf: scratch[0..<read])
        }
        return Array(head.prefix(count))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if headStart < head.count {
            let count = min(buffer.count, head.count - headStart)
            head.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + headStart, byteCount: count) }
            headStart += count
            return count
        }
        return try upstream.read(into: buffer)
    }
}

@available(*, unavailable)
extension PeekableSource: Sendable {}
