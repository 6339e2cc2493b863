import Foundation

/// Turns the JSON that CloudWatch Logs delivers through Firehose into one record line per log
/// event; hands any other input through unchanged.
///
/// Two shapes are recognised, by a first non-blank byte of `{`:
/// - subscription documents, `{"messageType": "DATA_MESSAGE", ..., "logEvents": [{"id": ...,
///   "timestamp": ..., "message": "<record>"}, ...]}`, one after another with or without white
///   space between them (Firehose concatenates them; gzip members were already joined by the
///   inflater). Documents whose `messageType` is `CONTROL_MESSAGE` (CloudWatch's health checks)
///   hold no records and are dropped whole;
/// - one object per line with a top-level `"message": "<record>"` (Firehose with record
///   extraction, or a log group exported as JSON lines).
///
/// Each `message` becomes one line (its JSON escapes decoded; control characters, which no flow
/// log record holds, become spaces so a record never spans two lines). Memory is bounded: the
/// messages of one document are held until it closes (so that a control message is known to be
/// one), and a document of more than `maximumDocumentBytes` of messages is an error.
public final class LogEventsSource: ByteSource {
    /// The most message bytes one JSON document may hold (CloudWatch sends batches of at most 1 MB).
    public static let maximumDocumentBytes = 64 << 20

    private let upstream: any ByteSource
    private let name: String
    private var decided = false
    /// True once the input turned out to be JSON (then each line handed out is one event).
    public private(set) var isJSON = false

    private let chunkSize = 256 * 1024
    private var chunk: [UInt8]
    private var chunkStart = 0
    private var chunkEnd = 0
    private var upstreamDone = false
    /// Offset in the inflated input of `chunk[0]`, for error positions.
    private var chunkOffset = 0

    /// Lines ready to hand out, and the read position in them.
    private var ready: [UInt8] = []
    private var readyStart = 0
    /// Messages of the document being read, released when it closes.
    private var pending: [UInt8] = []
    private var documentIsControl = false

    // The scanner's state between chunks.
    private enum Container { case object, array }
    private var stack: [Container] = []
    /// For each open object, the key whose value comes next (only the keys that matter are kept).
    private var keys: [Key] = []
    private var expectingKey = false
    private enum Key { case message, logEvents, messageType, other }
    private enum Lexeme { case none, string(capture: Capture), key, bare }
    private enum Capture { case none, message, messageType }
    private var lexeme: Lexeme = .none
    private var escape: [UInt8] = []
    private var inEscape = false
    private var keyBytes: [UInt8] = []
    private var typeBytes: [UInt8] = []
    private var pendingHighSurrogate: UInt32? = nil

    /// Reads `upstream` (named `name` in errors).
    public init(upstream: any ByteSource, name: String) {
        self.upstream = upstream
        self.name = name
        chunk = [UInt8](repeating: 0, count: chunkSize)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if !decided { try decide() }
        if !isJSON {
            // Plain text: the buffered head first, then straight from upstream.
            if chunkStart < chunkEnd {
                let count = min(chunkEnd - chunkStart, buffer.count)
                chunk.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + chunkStart, byteCount: count) }
                chunkStart += count
                return count
            }
            return try upstream.read(into: buffer)
        }
        while readyStart == ready.count {
            ready.removeAll(keepingCapacity: true)
            readyStart = 0
            if chunkStart == chunkEnd {
                if upstreamDone { return try finish() }
                try fill()
                continue
            }
            try scan()
        }
        let count = min(ready.count - readyStart, buffer.count)
        ready.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + readyStart, byteCount: count) }
        readyStart += count
        return count
    }

    /// Reads until the first non-blank byte and decides JSON or text by it.
    private func decide() throws {
        while true {
            if let first = chunk[chunkStart..<chunkEnd].first(where: { !Self.isBlank($0) }) {
                isJSON = first == UInt8(ascii: "{")
                break
            }
            if upstreamDone { break }
            // Keep what was read (blank so far) for the text case.
            if chunkEnd == chunk.count { break }
            let count = try chunk.withUnsafeMutableBytes { try upstream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[chunkEnd...])) }
            if count == 0 { upstreamDone = true } else { chunkEnd += count }
        }
        decided = true
    }

    private func fill() throws {
        chunkOffset += chunkEnd
        chunkStart = 0
        chunkEnd = 0
        let count = try chunk.withUnsafeMutableBytes { try upstream.read(into: $0) }
        if count == 0 { upstreamDone = true } else { chunkEnd = count }
    }

    /// The end of the input: it must not stop inside a document.
    private func finish() throws -> Int {
        var inLexeme = true
        if case .none = lexeme { inLexeme = false }
        if !stack.isEmpty || inLexeme {
            throw LogEventsError(name: name, offset: chunkOffset + chunkEnd, reason: "the JSON ends inside a document")
        }
        return 0
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private func fail(_ reason: String, at index: Int) -> LogEventsError {
        LogEventsError(name: name, offset: chunkOffset + index, reason: reason)
    }

    /// Scans the buffered chunk, moving finished documents' messages to `ready`.
    private func scan() throws {
        var index = chunkStart
        defer { chunkStart = index }
        while index < chunkEnd {
            let byte = chunk[index]
            switch lexeme {
            case .string(let capture):
                index = try scanString(capture: capture, from: index)
                continue
            case .key:
                index = try scanKey(from: index)
                continue
            case .bare:
                // A number, true, false or null: runs to the next delimiter.
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || Self.isBlank(byte) {
                    lexeme = .none
                    continue
                }
                index += 1
                continue
            case .none:
                break
            }
            index += 1
            if Self.isBlank(byte) { continue }
            switch byte {
            case UInt8(ascii: "{"):
                try openValue(at: index - 1)
                stack.append(.object)
                keys.append(.other)
                expectingKey = true
                if stack.count == 1 { documentIsControl = false }
            case UInt8(ascii: "["):
                try openValue(at: index - 1)
                stack.append(.array)
                expectingKey = false
            case UInt8(ascii: "}"):
                guard stack.last == .object else { throw fail("'}' without an open object", at: index - 1) }
                stack.removeLast()
                keys.removeLast()
                expectingKey = false
                if stack.isEmpty { closeDocument() }
            case UInt8(ascii: "]"):
                guard stack.last == .array else { throw fail("']' without an open array", at: index - 1) }
                stack.removeLast()
                expectingKey = false
            case UInt8(ascii: ","):
                guard !stack.isEmpty else { throw fail("',' between documents", at: index - 1) }
                expectingKey = stack.last == .object
            case UInt8(ascii: ":"):
                guard stack.last == .object else { throw fail("':' outside an object", at: index - 1) }
                expectingKey = false
            case UInt8(ascii: "\""):
                if stack.last == .object && expectingKey {
                    lexeme = .key
                    keyBytes.removeAll(keepingCapacity: true)
                } else {
                    try openValue(at: index - 1)
                    lexeme = .string(capture: captureForValue())
                    if case .string(.messageType) = lexeme { typeBytes.removeAll(keepingCapacity: true) }
                }
            default:
                guard !stack.isEmpty else { throw fail("'\(Character(Unicode.Scalar(byte)))' where a JSON document should start", at: index - 1) }
                lexeme = .bare
            }
        }
    }

    /// A value may start here only inside a document (a bare value between documents is no document).
    private func openValue(at index: Int) throws {
        if stack.isEmpty, chunk[index] != UInt8(ascii: "{") {
            throw fail("a JSON value outside a document", at: index)
        }
    }

    /// What to do with the string value starting now, from where it stands.
    private func captureForValue() -> Capture {
        let depth = stack.count
        guard stack.last == .object, let key = keys.last else { return .none }
        if depth == 1 && key == .message { return .message }
        if depth == 1 && key == .messageType { return .messageType }
        // logEvents[i].message: object (3) in the array (2) under the document's logEvents key.
        if depth == 3 && key == .message && stack[1] == .array && keys[0] == .logEvents { return .message }
        return .none
    }

    private func scanKey(from start: Int) throws -> Int {
        var index = start
        while index < chunkEnd {
            let byte = chunk[index]
            index += 1
            if inEscape {
                inEscape = false
                keyBytes.append(0)
                continue
            }
            if byte == UInt8(ascii: "\\") { inEscape = true; continue }
            if byte == UInt8(ascii: "\"") {
                lexeme = .none
                let key: Key
                switch keyBytes {
                case Array("message".utf8): key = .message
                case Array("logEvents".utf8): key = .logEvents
                case Array("messageType".utf8): key = .messageType
                default: key = .other
                }
                keys[keys.count - 1] = key
                return index
            }
            if keyBytes.count < 16 { keyBytes.append(byte) }
        }
        return index
    }

    private func scanString(capture: Capture, from start: Int) throws -> Int {
        var index = start
        while index < chunkEnd {
            let byte = chunk[index]
            index += 1
            if inEscape {
                escape.append(byte)
                if try decodeEscape(capture: capture, at: index - 1) { inEscape = false; escape.removeAll(keepingCapacity: true) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\\"):
                inEscape = true
            case UInt8(ascii: "\""):
                lexeme = .none
                if capture == .message {
                    pending.append(0x0A)
                    if pending.count > Self.maximumDocumentBytes {
                        throw fail("a JSON document holds more than \(Self.maximumDocumentBytes >> 20) MB of messages", at: index - 1)
                    }
                } else if capture == .messageType, stack.count == 1 {
                    documentIsControl = typeBytes == Array("CONTROL_MESSAGE".utf8)
                }
                return index
            default:
                emit(byte < 0x20 ? 0x20 : byte, capture)
            }
        }
        return index
    }

    private func emit(_ byte: UInt8, _ capture: Capture) {
        switch capture {
        case .message: pending.append(byte)
        case .messageType: if typeBytes.count < 32 { typeBytes.append(byte) }
        case .none: break
        }
    }

    private func emit(scalar value: UInt32, _ capture: Capture) {
        guard capture != .none else { return }
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        if scalar.value < 0x20 { emit(0x20, capture); return }
        for byte in String(scalar).utf8 { emit(byte, capture) }
    }

    /// Handles the bytes after a backslash; true once the escape is complete.
    private func decodeEscape(capture: Capture, at index: Int) throws -> Bool {
        let first = escape[0]
        if first != UInt8(ascii: "u") {
            let decoded: UInt8
            switch first {
            case UInt8(ascii: "\""): decoded = 0x22
            case UInt8(ascii: "\\"): decoded = 0x5C
            case UInt8(ascii: "/"): decoded = 0x2F
            case UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): decoded = 0x20
            default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(first)))' in a JSON string", at: index)
            }
            emit(decoded, capture)
            return true
        }
        guard escape.count == 5 else { return false }
        guard let value = UInt32(String(decoding: escape[1...], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape in a JSON string", at: index)
        }
        if (0xD800...0xDBFF).contains(value) {
            pendingHighSurrogate = value
        } else if (0xDC00...0xDFFF).contains(value), let high = pendingHighSurrogate {
            pendingHighSurrogate = nil
            emit(scalar: 0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00), capture)
        } else {
            pendingHighSurrogate = nil
            emit(scalar: value, capture)
        }
        return true
    }

    /// A top-level document closed: its messages become lines unless it was a control message.
    private func closeDocument() {
        if !documentIsControl { ready.append(contentsOf: pending) }
        pending.removeAll(keepingCapacity: pending.count < 4 << 20)
        documentIsControl = false
    }
}

@available(*, unavailable)
extension LogEventsSource: Sendable {}

/// JSON from CloudWatch Logs that cannot be read: where and why.
public struct LogEventsError: Error, LocalizedError, Sendable, Equatable {
    /// The file or object.
    public let name: String
    /// The offset in the inflated bytes.
    public let offset: Int
    /// What was wrong.
    public let reason: String

    public var errorDescription: String? {
        "invalid CloudWatch Logs JSON at inflated byte \(offset.formatted()): \(reason)"
    }
}
