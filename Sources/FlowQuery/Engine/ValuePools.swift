import FlowModel
import Synchronization

/// Text values of one query, each given one integer id for the whole query: text columns of
/// every partition decode to these ids, so grouping, equality and distinct counts work on
/// integers across partitions and threads. Ids are handed out in order of first sight.
///
/// Shared by the query's threads; a partition looks each of its dictionary entries up once.
final class StringPool: Sendable {
    private struct State {
        var ids: [String: Int64] = [:]
        var strings: [String] = []
    }
    private let state = Mutex(State())

    /// The id of `text`, adding it when new.
    func id(for text: String) -> Int64 {
        state.withLock { state in
            if let id = state.ids[text] { return id }
            let id = Int64(state.strings.count)
            state.ids[text] = id
            state.strings.append(text)
            return id
        }
    }

    /// The ids of many texts at once (one lock), adding the new ones; 0 where `nulls` is true.
    func ids(for texts: [String], nulls: [Bool]?) -> [Int64] {
        state.withLock { state in
            state.ids.reserveCapacity(state.ids.count + texts.count)
            return texts.enumerated().map { index, text in
                if nulls?[index] == true { return 0 }
                if let id = state.ids[text] { return id }
                let id = Int64(state.strings.count)
                state.ids[text] = id
                state.strings.append(text)
                return id
            }
        }
    }

    /// The id of `text` if the query has seen it (a literal no row holds has none).
    func existingID(for text: String) -> Int64? {
        state.withLock { $0.ids[text] }
    }

    /// The text of an id.
    func string(_ id: Int64) -> String {
        state.withLock { $0.strings[Int(id)] }
    }

    /// The texts of many ids at once (one lock).
    func strings(_ ids: UnsafeBufferPointer<Int64>, nulls: [Bool]?) -> [String] {
        state.withLock { state in
            ids.enumerated().map { index, id in nulls?[index] == true ? "" : state.strings[Int(id)] }
        }
    }
}

/// IPv6 addresses of one query, numbered as `StringPool` numbers text. An address column holds
/// IPv4 addresses as their 32-bit value and IPv6 ones as 2^32 + their id here, so one integer
/// stands for any address across partitions.
final class AddressPool: Sendable {
    /// IPv6 bytes as two words: hashed and compared as two integers, not as an array.
    private struct Key: Hashable {
        let high: UInt64
        let low: UInt64

        init(_ bytes: UnsafeRawBufferPointer) {
            high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    private struct State {
        var ids: [Key: Int64] = [:]
        var addresses: [[UInt8]] = []

        mutating func id(_ key: Key, _ bytes: UnsafeRawBufferPointer) -> Int64 {
            if let id = ids[key] { return id }
            let id = Int64(addresses.count)
            ids[key] = id
            addresses.append(Array(bytes))
            return id
        }
    }
    private let state = Mutex(State())

    /// Where IPv6 codes start.
    static let ipv6Base: Int64 = 1 << 32

    /// The code of an address.
    func code(for address: IPAddress) -> Int64 {
        switch address {
        case .v4(let value): return Int64(value)
        case .v6(let bytes): return Self.ipv6Base + id(for: bytes)
        }
    }

    /// The code of an address if the query has seen it (IPv4 always has one).
    func existingCode(for address: IPAddress) -> Int64? {
        switch address {
        case .v4(let value): return Int64(value)
        case .v6(let bytes):
            guard bytes.count == 16 else { return nil }
            let key = bytes.withUnsafeBytes { Key($0) }
            return state.withLock { $0.ids[key] }.map { Self.ipv6Base + $0 }
        }
    }

    /// The id of IPv6 bytes, adding them when new.
    func id(for bytes: [UInt8]) -> Int64 {
        precondition(bytes.count == 16, "an IPv6 address has 16 bytes")
        return bytes.withUnsafeBytes { raw in
            let key = Key(raw)
            return state.withLock { $0.id(key, raw) }
        }
    }

    /// The codes of a table of IPv6 addresses, 16 bytes each, under one lock.
    func codes(ofIPv6Table table: UnsafeRawBufferPointer, into codes: inout [Int64]) {
        let count = table.count / 16
        state.withLock { state in
            for index in 0..<count {
                let bytes = UnsafeRawBufferPointer(rebasing: table[(index * 16)..<(index * 16 + 16)])
                codes[index] = Self.ipv6Base + state.id(Key(bytes), bytes)
            }
        }
    }

    /// The address a code stands for.
    func address(_ code: Int64) -> IPAddress {
        if code < Self.ipv6Base { return .v4(UInt32(truncatingIfNeeded: code)) }
        let index = Int(code - Self.ipv6Base)
        return .v6(state.withLock { index < $0.addresses.count ? $0.addresses[index] : [UInt8](repeating: 0, count: 16) })
    }
}
