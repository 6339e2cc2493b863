import CSQLite
import FlowModel
import Foundation

/// State for a custom aggregate: fed one row at a time, asked for the result once.
public protocol SQLiteAggregate: AnyObject {
    /// Creates an empty accumulator (one per group).
    init()
    /// Adds one row's arguments.
    func step(_ arguments: [SQLiteValue]) throws
    /// The aggregate's value for the group.
    func finish() throws -> SQLiteValue
}

extension Database {
    /// Registers a deterministic scalar SQL function implemented in Swift.
    ///
    /// Used by the query layer for what SQLite lacks (address rendering, CIDR tests); the body
    /// receives the arguments as values and its thrown error becomes the SQL error message.
    public func createFunction(
        _ name: String, argumentCount: Int32,
        _ body: @escaping ([SQLiteValue]) throws -> SQLiteValue
    ) throws(SQLiteError) {
        let box = Unmanaged.passRetained(ScalarBox(body)).toOpaque()
        let rc = sqlite3_create_function_v2(
            handle, name, argumentCount, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box,
            { context, count, arguments in
                let box = Unmanaged<ScalarBox>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
                do {
                    let result = try box.body(readArguments(count, arguments))
                    setResult(context, result)
                } catch {
                    sqlite3_result_error(context, "\(error.localizedDescription)", -1)
                }
            },
            nil, nil,
            { box in if let box { Unmanaged<ScalarBox>.fromOpaque(box).release() } }
        )
        guard rc == SQLITE_OK else { throw self.error(code: rc, sql: nil) }
    }

    /// Registers an aggregate SQL function whose per-group state is an `A`.
    public func createAggregate<A: SQLiteAggregate>(_ name: String, argumentCount: Int32, _ type: A.Type) throws(SQLiteError) {
        let box = Unmanaged.passRetained(AggregateBox(make: { A() })).toOpaque()
        let rc = sqlite3_create_function_v2(
            handle, name, argumentCount, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box, nil,
            { context, count, arguments in
                guard let state = aggregateState(context, create: true) else { return }
                do {
                    try state.step(readArguments(count, arguments))
                } catch {
                    sqlite3_result_error(context, "\(error.localizedDescription)", -1)
                }
            },
            { context in
                // A group that saw no rows still needs a value: finish a fresh accumulator.
                let state = aggregateState(context, create: true)
                defer { releaseAggregateState(context) }
                do {
                    setResult(context, try state?.finish() ?? .null)
                } catch {
                    sqlite3_result_error(context, "\(error.localizedDescription)", -1)
                }
            },
            { box in if let box { Unmanaged<AggregateBox>.fromOpaque(box).release() } }
        )
        guard rc == SQLITE_OK else { throw self.error(code: rc, sql: nil) }
    }
}

extension Database {
    /// Registers `name(a, b)` over two integers, computed by `body` without boxing values: for
    /// checked arithmetic, which runs on every row of a query that computes. NULL in either
    /// argument gives NULL; an error from `body` fails the statement with its message.
    public func createIntegerFunction(_ name: String, _ body: @escaping @Sendable (Int64, Int64) -> Result<Int64, FunctionFailure>) throws(SQLiteError) {
        let box = Unmanaged.passRetained(IntegerBox(body)).toOpaque()
        let rc = sqlite3_create_function_v2(
            handle, name, 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, box,
            { context, _, arguments in
                guard let arguments, let a = arguments[0], let b = arguments[1],
                      sqlite3_value_type(a) != SQLITE_NULL, sqlite3_value_type(b) != SQLITE_NULL else { return sqlite3_result_null(context) }
                let box = Unmanaged<IntegerBox>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
                switch box.body(sqlite3_value_int64(a), sqlite3_value_int64(b)) {
                case .success(let value): sqlite3_result_int64(context, value)
                case .failure(let failure): sqlite3_result_error(context, failure.message, -1)
                }
            },
            nil, nil,
            { box in if let box { Unmanaged<IntegerBox>.fromOpaque(box).release() } }
        )
        guard rc == SQLITE_OK else { throw self.error(code: rc, sql: nil) }
    }
}

/// A SQL function's failure: its message becomes the statement's error.
public struct FunctionFailure: Error, Sendable {
    /// What went wrong, as the user reads it.
    public var message: String
    /// A failure with this message.
    public init(_ message: String) { self.message = message }
}

private final class IntegerBox {
    let body: @Sendable (Int64, Int64) -> Result<Int64, FunctionFailure>
    init(_ body: @escaping @Sendable (Int64, Int64) -> Result<Int64, FunctionFailure>) { self.body = body }
}

private final class ScalarBox {
    let body: ([SQLiteValue]) throws -> SQLiteValue
    init(_ body: @escaping ([SQLiteValue]) throws -> SQLiteValue) { self.body = body }
}

private final class AggregateBox {
    let make: () -> SQLiteAggregate
    init(make: @escaping () -> SQLiteAggregate) { self.make = make }
}

/// The per-group accumulator lives in SQLite's aggregate context as a retained object pointer.
private func aggregateState(_ context: OpaquePointer?, create: Bool) -> SQLiteAggregate? {
    let size = Int32(MemoryLayout<UnsafeMutableRawPointer?>.size)
    guard let slot = sqlite3_aggregate_context(context, create ? size : 0) else { return nil }
    let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    if let existing = pointer.pointee {
        return Unmanaged<AnyObject>.fromOpaque(existing).takeUnretainedValue() as? SQLiteAggregate
    }
    guard create else { return nil }
    let box = Unmanaged<AggregateBox>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
    let state = box.make()
    pointer.pointee = Unmanaged.passRetained(state as AnyObject).toOpaque()
    return state
}

private func releaseAggregateState(_ context: OpaquePointer?) {
    guard let slot = sqlite3_aggregate_context(context, 0) else { return }
    let pointer = slot.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
    if let existing = pointer.pointee {
        Unmanaged<AnyObject>.fromOpaque(existing).release()
        pointer.pointee = nil
    }
}

private func readArguments(_ count: Int32, _ arguments: UnsafeMutablePointer<OpaquePointer?>?) -> [SQLiteValue] {
    guard let arguments else { return [] }
    return (0..<Int(count)).map { index in
        let value = arguments[index]
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: return .integer(sqlite3_value_int64(value))
        case SQLITE_FLOAT: return .real(sqlite3_value_double(value))
        case SQLITE_TEXT:
            let n = Int(sqlite3_value_bytes(value))
            guard let bytes = sqlite3_value_text(value) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: bytes, count: n), as: UTF8.self))
        case SQLITE_BLOB:
            let n = Int(sqlite3_value_bytes(value))
            guard let bytes = sqlite3_value_blob(value) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: n)))
        default: return .null
        }
    }
}

private func setResult(_ context: OpaquePointer?, _ value: SQLiteValue) {
    switch value {
    case .null: sqlite3_result_null(context)
    case .integer(let v): sqlite3_result_int64(context, v)
    case .real(let v): sqlite3_result_double(context, v)
    case .text(let v): sqlite3_result_text(context, v, -1, unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self))
    case .blob(let v):
        v.withUnsafeBytes { bytes in
            sqlite3_result_blob(context, bytes.baseAddress, Int32(bytes.count), unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self))
        }
    }
}

extension Database {
    /// Registers `name(x)`: a stored address as text (an IPv4 integer as a dotted quad, a 16-byte
    /// IPv6 blob in RFC 5952 form); any other value passes through.
    ///
    /// Written against the C API without Swift arrays or Strings for IPv4, because result rows
    /// call it once per address column.
    public func createAddressTextFunction(_ name: String) throws(SQLiteError) {
        let rc = sqlite3_create_function_v2(
            handle, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, _, arguments in
                guard let value = arguments?[0] else { return sqlite3_result_null(context) }
                switch sqlite3_value_type(value) {
                case SQLITE_INTEGER:
                    let address = UInt32(truncatingIfNeeded: sqlite3_value_int64(value))
                    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 16) { buffer in
                        var length = 0
                        for shift in stride(from: 24, through: 0, by: -8) {
                            let octet = Int(address >> UInt32(shift) & 0xFF)
                            if octet >= 100 { buffer[length] = CChar(48 + octet / 100); length += 1 }
                            if octet >= 10 { buffer[length] = CChar(48 + octet / 10 % 10); length += 1 }
                            buffer[length] = CChar(48 + octet % 10)
                            length += 1
                            if shift > 0 { buffer[length] = 46; length += 1 }
                        }
                        sqlite3_result_text(context, buffer.baseAddress, Int32(length), unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self))
                    }
                case SQLITE_BLOB where sqlite3_value_bytes(value) == 16:
                    guard let blob = sqlite3_value_blob(value) else { return sqlite3_result_null(context) }
                    let text = IPAddress.format(v6: Array(UnsafeRawBufferPointer(start: blob, count: 16)))
                    sqlite3_result_text(context, text, -1, unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self))
                default:
                    sqlite3_result_value(context, value)
                }
            },
            nil, nil, nil)
        guard rc == SQLITE_OK else { throw self.error(code: rc, sql: nil) }
    }
}

extension Database {
    /// Registers `name(text, delimiter, index)` with Trino's `split_part` semantics: the
    /// 1-based field, NULL past the last one; an index below 1 is an error.
    ///
    /// Written against the C API (no Swift strings) because queries such as
    /// `split_part(srcaddr, '.', 1) = '10'` call it on every row.
    public func createSplitPartFunction(_ name: String) throws(SQLiteError) {
        let rc = sqlite3_create_function_v2(
            handle, name, 3, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
            { context, _, arguments in
                guard let arguments, let textValue = arguments[0], let delimiterValue = arguments[1], let indexValue = arguments[2],
                      sqlite3_value_type(textValue) != SQLITE_NULL, sqlite3_value_type(delimiterValue) != SQLITE_NULL,
                      sqlite3_value_type(indexValue) != SQLITE_NULL else { return sqlite3_result_null(context) }
                let index = sqlite3_value_int64(indexValue)
                guard index >= 1 else { return sqlite3_result_error(context, "split_part index must be greater than zero", -1) }
                guard let text = sqlite3_value_text(textValue) else { return sqlite3_result_null(context) }
                let length = Int(sqlite3_value_bytes(textValue))
                let delimiter = sqlite3_value_text(delimiterValue)
                let delimiterLength = Int(sqlite3_value_bytes(delimiterValue))
                guard let delimiter, delimiterLength > 0 else {
                    if index == 1 { sqlite3_result_value(context, textValue) } else { sqlite3_result_null(context) }
                    return
                }
                var field: Int64 = 1
                var start = 0
                var position = 0
                while position + delimiterLength <= length {
                    if memcmp(text + position, delimiter, delimiterLength) == 0 {
                        if field == index { break }
                        field += 1
                        position += delimiterLength
                        start = position
                        continue
                    }
                    position += 1
                }
                if field != index { return sqlite3_result_null(context) }
                let end = position + delimiterLength <= length ? position : length
                text.withMemoryRebound(to: CChar.self, capacity: length) { base in
                    sqlite3_result_text(context, base + start, Int32(end - start), unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self))
                }
            },
            nil, nil, nil)
        guard rc == SQLITE_OK else { throw self.error(code: rc, sql: nil) }
    }
}
