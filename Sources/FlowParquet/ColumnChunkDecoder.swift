/// Which `ParquetColumnBatch.Values` case a physical type decodes into.
enum ValueKind {
    case integers, doubles, booleans, bytes

    init(_ type: ParquetPhysicalType) {
        switch type {
        case .boolean: self = .booleans
        case .int32, .int64, .int96: self = .integers
        case .float, .double: self = .doubles
        case .byteArray, .fixedLenByteArray: self = .bytes
        }
    }
}

/// A column chunk's dictionary page, decoded once and gathered from by index.
enum DictionaryValues {
    case integers([Int64])
    case doubles([Double])
    case booleans([Bool])
    case bytes(ParquetByteArrays)

    var count: Int {
        switch self {
        case .integers(let v): return v.count
        case .doubles(let v): return v.count
        case .booleans(let v): return v.count
        case .bytes(let v): return v.count
        }
    }
}

/// Runs `body` with the array's base address, or not at all for an empty array (whose
/// base address may be nil).
@inline(__always)
func withBase<T>(_ array: inout [T], _ body: (UnsafeMutablePointer<T>) throws -> Void) rethrows {
    try array.withUnsafeMutableBufferPointer { buffer in
        if let base = buffer.baseAddress { try body(base) }
    }
}

/// Decodes one column chunk of a row group into dense per-row batches.
///
/// It pulls pages from its `PageReader` as it needs them and keeps only the current
/// page (and the dictionary) in memory. Levels and values are decoded a page segment at
/// a time: definition levels become the validity array, non-null values are decoded
/// densely into the output, then spread out over the null slots in place.
final class ColumnChunkDecoder {
    /// The values in a data page come from one of these, by page encoding.
    private enum Source {
        case none
        case plain(PlainDecoder)
        case dictionary(RLEBitPackedDecoder)
        case rleBooleans(RLEBitPackedDecoder)
    }

    let column: ParquetColumn
    private let kind: ValueKind
    private let pages: PageReader
    private let totalValues: Int64
    private var valuesLoaded: Int64 = 0
    private var dictionary: DictionaryValues?
    private var sawDataPage = false
    /// Keeps the current page's memory alive while `levels` and `source` point into it.
    private var page: PageBuffer?
    private var pageNumber = 0
    private var pageOffset: Int64 = 0
    private var pageRemaining = 0
    private var levels: RLEBitPackedDecoder?
    private var source = Source.none
    /// Decoded levels or dictionary indices for one page segment (at most one batch).
    private let scratch: UnsafeMutablePointer<UInt32>
    private let scratchCapacity: Int
    private let byteBuilder: ByteBuilder

    /// A decoder for `totalValues` rows of `column`, reading pages from `pages`, in
    /// batches of at most `maxBatch` rows.
    init(column: ParquetColumn, pages: PageReader, totalValues: Int64, maxBatch: Int) {
        self.column = column
        self.kind = ValueKind(column.physicalType)
        self.pages = pages
        self.totalValues = totalValues
        self.scratchCapacity = maxBatch
        self.scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: maxBatch)
        self.byteBuilder = ByteBuilder(capacity: kind == .bytes ? maxBatch * 16 : 0)
    }

    deinit { scratch.deallocate() }

    /// Decodes the next `count` rows (at most `maxBatch`).
    func read(count: Int) throws -> ParquetColumnBatch {
        precondition(count <= scratchCapacity, "batch larger than the decoder's scratch space")
        do {
            var valid = [Bool](repeating: false, count: column.isOptional ? count : 0)
            var nulls = 0
            let values: ParquetColumnBatch.Values
            switch kind {
            case .integers:
                var out = [Int64](repeating: 0, count: count)
                try withBase(&out) { o in try withValidity(&valid) { v in nulls = try fill(o, v, count, 0, decodeIntegers) } }
                values = .integers(out)
            case .doubles:
                var out = [Double](repeating: 0, count: count)
                try withBase(&out) { o in try withValidity(&valid) { v in nulls = try fill(o, v, count, 0, decodeDoubles) } }
                values = .doubles(out)
            case .booleans:
                var out = [Bool](repeating: false, count: count)
                try withBase(&out) { o in try withValidity(&valid) { v in nulls = try fill(o, v, count, false, decodeBooleans) } }
                values = .booleans(out)
            case .bytes:
                var offsets = [Int32](repeating: 0, count: count + 1)
                try withBase(&offsets) { o in try withValidity(&valid) { v in nulls = try fillBytes(o, v, count) } }
                values = .bytes(ParquetByteArrays(bytes: byteBuilder.take(), offsets: offsets))
            }
            return ParquetColumnBatch(column: column, values: values,
                                      validity: column.isOptional ? valid : nil, nullCount: nulls)
        } catch let error as ParquetError {
            throw error.filling(column: column.name, page: pageNumber, byteOffset: pageOffset)
        }
    }

    private func withValidity(_ valid: inout [Bool], _ body: (UnsafeMutablePointer<Bool>?) throws -> Void) rethrows {
        if valid.isEmpty { return try body(nil) }
        try valid.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
    }

    /// Walks pages for `count` rows: reads definition levels into `valid`, asks `decode`
    /// for the non-null values densely at each segment's start, then spreads them over
    /// their rows. Returns the number of nulls.
    private func fill<T>(_ out: UnsafeMutablePointer<T>, _ valid: UnsafeMutablePointer<Bool>?, _ count: Int, _ zero: T,
                         _ decode: (UnsafeMutablePointer<T>, Int) throws -> Void) throws -> Int {
        var row = 0
        var nulls = 0
        while row < count {
            if pageRemaining == 0 { try loadDataPage() }
            let k = min(count - row, pageRemaining)
            var present = k
            if let valid {
                present = try decodeLevels(valid + row, k)
            }
            try decode(out + row, present)
            if present < k, let valid {
                // Back to front, so each dense value moves right at most and is read
                // before anything overwrites it.
                var j = present - 1
                var i = k - 1
                while i >= 0 {
                    if valid[row + i] {
                        out[row + i] = out[row + j]
                        j -= 1
                    } else {
                        out[row + i] = zero
                    }
                    i -= 1
                }
                nulls += k - present
            }
            pageRemaining -= k
            row += k
        }
        return nulls
    }

    private func decodeLevels(_ valid: UnsafeMutablePointer<Bool>, _ k: Int) throws -> Int {
        guard var decoder = levels else {
            throw ParquetError(.corruptPage, "optional column's page has no definition levels")
        }
        let present = try decoder.decodeLevels(into: valid, count: k)
        levels = decoder
        return present
    }

    /// Decodes `n` dictionary indices into `scratch`, checking each against the
    /// dictionary size; calls `body` with the checked indices.
    private func dictionaryIndices(_ n: Int, _ decoder: inout RLEBitPackedDecoder) throws {
        guard let dictionary else { throw ParquetError(.corruptPage, "dictionary-encoded page without a dictionary page") }
        try decoder.decode(into: scratch, count: n)
        let size = UInt32(clamping: dictionary.count)
        for i in 0..<n where scratch[i] >= size {
            throw ParquetError(.corruptPage, "dictionary index \(scratch[i]) out of range (dictionary has \(size) entries)")
        }
    }

    private func decodeIntegers(_ out: UnsafeMutablePointer<Int64>, _ n: Int) throws {
        switch source {
        case .plain(var d):
            if column.physicalType == .int32 { try d.int32s(into: out, count: n) } else { try d.int64s(into: out, count: n) }
            source = .plain(d)
        case .dictionary(var d):
            try dictionaryIndices(n, &d)
            source = .dictionary(d)
            guard case .integers(let dict) = dictionary else { throw ParquetError(.corruptPage, "dictionary type mismatch") }
            dict.withUnsafeBufferPointer { p in for i in 0..<n { out[i] = p[Int(scratch[i])] } }
        default:
            throw ParquetError(.corruptPage, "no value source for an integer page")
        }
    }

    private func decodeDoubles(_ out: UnsafeMutablePointer<Double>, _ n: Int) throws {
        switch source {
        case .plain(var d):
            if column.physicalType == .float { try d.floats(into: out, count: n) } else { try d.doubles(into: out, count: n) }
            source = .plain(d)
        case .dictionary(var d):
            try dictionaryIndices(n, &d)
            source = .dictionary(d)
            guard case .doubles(let dict) = dictionary else { throw ParquetError(.corruptPage, "dictionary type mismatch") }
            dict.withUnsafeBufferPointer { p in for i in 0..<n { out[i] = p[Int(scratch[i])] } }
        default:
            throw ParquetError(.corruptPage, "no value source for a floating-point page")
        }
    }

    private func decodeBooleans(_ out: UnsafeMutablePointer<Bool>, _ n: Int) throws {
        switch source {
        case .plain(var d):
            try d.booleans(into: out, count: n)
            source = .plain(d)
        case .rleBooleans(var d):
            try d.decode(into: scratch, count: n)  // bit width 1: every value is 0 or 1
            source = .rleBooleans(d)
            for i in 0..<n { out[i] = scratch[i] != 0 }
        case .dictionary(var d):
            try dictionaryIndices(n, &d)
            source = .dictionary(d)
            guard case .booleans(let dict) = dictionary else { throw ParquetError(.corruptPage, "dictionary type mismatch") }
            dict.withUnsafeBufferPointer { p in for i in 0..<n { out[i] = p[Int(scratch[i])] } }
        case .none:
            throw ParquetError(.corruptPage, "no value source for a boolean page")
        }
    }

    /// Byte arrays go row by row: each present value is appended to the batch's bytes and
    /// every row (null or not) gets its end offset.
    private func fillBytes(_ offsets: UnsafeMutablePointer<Int32>, _ valid: UnsafeMutablePointer<Bool>?, _ count: Int) throws -> Int {
        var row = 0
        var nulls = 0
        let fixed = column.physicalType == .fixedLenByteArray ? (column.typeLength ?? 0) : -1
        let builder = byteBuilder
        while row < count {
            if pageRemaining == 0 { try loadDataPage() }
            let k = min(count - row, pageRemaining)
            var present = k
            if let valid { present = try decodeLevels(valid + row, k) }
            switch source {
            case .plain(var d):
                for i in 0..<k {
                    if valid?[row + i] ?? true {
                        let value = fixed >= 0 ? try d.nextFixed(fixed) : try d.nextByteArray()
                        try builder.reserve(value.count)
                        // Page buffers are padded, so a short value may be copied as words.
                        if let source = value.baseAddress { builder.appendReserved(source, value.count) }
                    }
                    offsets[row + i + 1] = Int32(truncatingIfNeeded: builder.count)
                }
                source = .plain(d)
            case .dictionary(var d):
                try dictionaryIndices(present, &d)
                source = .dictionary(d)
                guard case .bytes(let dict) = dictionary else { throw ParquetError(.corruptPage, "dictionary type mismatch") }
                try builder.reserve(dict.offsets.withUnsafeBufferPointer { o in
                    var total = 0
                    for j in 0..<present { let x = Int(scratch[j]); total += Int(o[x + 1] - o[x]) }
                    return total
                })
                dict.bytes.withUnsafeBytes { raw in
                    dict.offsets.withUnsafeBufferPointer { dictOffsets in
                        guard let dictBase = raw.baseAddress else { return }
                        var j = 0
                        for i in 0..<k {
                            if valid?[row + i] ?? true {
                                let index = Int(scratch[j])
                                j += 1
                                let start = Int(dictOffsets[index])
                                let length = Int(dictOffsets[index + 1]) - start
                                // The segment's total was reserved above, and the
                                // dictionary storage is padded for short copies.
                                builder.appendReserved(dictBase + start, length)
                            }
                            offsets[row + i + 1] = Int32(truncatingIfNeeded: builder.count)
                        }
                    }
                }
            default:
                throw ParquetError(.corruptPage, "no value source for a byte-array page")
            }
            nulls += k - present
            pageRemaining -= k
            row += k
        }
        return nulls
    }
    // MARK: Pages

    /// Advances to the next data page with values, decoding a dictionary page on the way
    /// and setting up the level and value decoders for the page's layout and encoding.
    private func loadDataPage() throws {
        while true {
            guard let next = try pages.next() else {
                throw ParquetError(.truncated, "column chunk ends after \(valuesLoaded) of \(totalValues) values")
            }
            pageNumber = next.number
            pageOffset = next.offset
            let header = next.header
            let data = next.data
            let numValues: Int
            let encoding: Int32
            var valuesStart = 0
            levels = nil
            switch header.type {
            case PageHeader.dictionaryPageType:
                guard dictionary == nil, !sawDataPage else {
                    throw ParquetError(.corruptPage, "unexpected second dictionary page")
                }
                dictionary = try decodeDictionaryPage(next, column: column)
                continue
            case PageHeader.dataPageType:
                guard let v1 = header.dataPage else { continue }
                numValues = Int(v1.numValues)
                encoding = v1.encoding
                if column.isOptional {
                    // v1: levels are compressed with the values, behind a 4-byte length.
                    guard v1.definitionLevelEncoding == ParquetEncoding.rle else {
                        throw ParquetError(.unsupported, "definition levels in \(ParquetEncoding.name(v1.definitionLevelEncoding)) encoding are not supported")
                    }
                    guard data.count >= 4 else { throw ParquetError(.corruptPage, "page too short for its definition levels") }
                    let length = Int(UInt32(littleEndian: data.base.loadUnaligned(as: UInt32.self)))
                    guard length <= data.count - 4 else {
                        throw ParquetError(.corruptPage, "definition levels of \(length) bytes run past the page (\(data.count) bytes)")
                    }
                    levels = try RLEBitPackedDecoder(base: data.base, start: 4, end: 4 + length, bitWidth: 1)
                    valuesStart = 4 + length
                }
            case PageHeader.dataPageV2Type:
                guard let v2 = header.dataPageV2 else { continue }
                numValues = Int(v2.numValues)
                encoding = v2.encoding
                // v2: repetition then definition levels, uncompressed, lengths in the header
                // (PageReader checked they fit). A flat column has no repetition levels.
                let repetition = Int(v2.repetitionLevelsByteLength)
                let definition = Int(v2.definitionLevelsByteLength)
                if column.isOptional {
                    levels = try RLEBitPackedDecoder(base: data.base, start: repetition, end: repetition + definition, bitWidth: 1)
                }
                valuesStart = repetition + definition
            case PageHeader.indexPageType:
                continue
            default:
                throw ParquetError(.corruptPage, "unknown page type \(header.type)")
            }
            sawDataPage = true
            guard Int64(numValues) <= totalValues - valuesLoaded else {
                throw ParquetError(.corruptPage, "page holds \(numValues) values but only \(totalValues - valuesLoaded) rows of the row group remain")
            }
            source = try makeSource(encoding, data, valuesStart)
            page = data
            pageRemaining = numValues
            valuesLoaded += Int64(numValues)
            if numValues > 0 { return }
        }
    }

    private func makeSource(_ encoding: Int32, _ data: PageBuffer, _ start: Int) throws -> Source {
        switch encoding {
        case ParquetEncoding.plain:
            return .plain(PlainDecoder(base: data.base, start: start, end: data.count))
        case ParquetEncoding.plainDictionary, ParquetEncoding.rleDictionary:
            guard dictionary != nil else {
                throw ParquetError(.corruptPage, "dictionary-encoded page without a dictionary page")
            }
            // One byte of index bit width, then the hybrid-encoded indices. A page of
            // nulls only may stop before the width byte.
            let width = start < data.count ? Int(data.base.load(fromByteOffset: start, as: UInt8.self)) : 0
            return .dictionary(try RLEBitPackedDecoder(base: data.base, start: min(start + 1, data.count), end: data.count, bitWidth: width))
        case ParquetEncoding.rle where column.physicalType == .boolean:
            guard data.count - start >= 4 else { throw ParquetError(.corruptPage, "RLE boolean page lacks its length prefix") }
            let length = Int(UInt32(littleEndian: data.base.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
            guard length <= data.count - start - 4 else {
                throw ParquetError(.corruptPage, "RLE booleans of \(length) bytes run past the page")
            }
            return .rleBooleans(try RLEBitPackedDecoder(base: data.base, start: start + 4, end: start + 4 + length, bitWidth: 1))
        default:
            throw ParquetError(.unsupported, "unsupported encoding \(ParquetEncoding.name(encoding)) for a \(column.physicalType.rawValue) column")
        }
    }
}


@available(*, unavailable)
extension ColumnChunkDecoder: Sendable {}
