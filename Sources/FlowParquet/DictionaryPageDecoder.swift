/// Decodes a dictionary page: `numValues` PLAIN-encoded values (PLAIN_DICTIONARY is the
/// old name writers still put in the header for the same layout).
///
/// The value count comes from the header and is untrusted, so it is checked against the
/// page's bytes (every value takes at least a bit, 4 bytes for lengths, …) before the
/// dictionary arrays are allocated.
func decodeDictionaryPage(_ page: Page, column: ParquetColumn) throws -> DictionaryValues {
    guard let header = page.header.dictionaryPage else {
        throw ParquetError(.corruptPage, "dictionary page without a dictionary header")
    }
    guard header.encoding == ParquetEncoding.plain || header.encoding == ParquetEncoding.plainDictionary else {
        throw ParquetError(.unsupported, "unsupported dictionary encoding \(ParquetEncoding.name(header.encoding))")
    }
    let n = Int(header.numValues)
    let data = page.data
    var decoder = PlainDecoder(base: data.base, start: 0, end: data.count)
    let tooMany = ParquetError(.corruptPage, "dictionary of \(n) values cannot fit in a \(data.count)-byte page")

    switch column.physicalType {
    case .int32, .int64:
        let width = column.physicalType == .int32 ? 4 : 8
        guard n <= data.count / width else { throw tooMany }
        var values = [Int64](repeating: 0, count: n)
        try withBase(&values) { p in
            if width == 4 { try decoder.int32s(into: p, count: n) } else { try decoder.int64s(into: p, count: n) }
        }
        return .integers(values)
    case .float, .double:
        let width = column.physicalType == .float ? 4 : 8
        guard n <= data.count / width else { throw tooMany }
        var values = [Double](repeating: 0, count: n)
        try withBase(&values) { p in
            if width == 4 { try decoder.floats(into: p, count: n) } else { try decoder.doubles(into: p, count: n) }
        }
        return .doubles(values)
    case .boolean:
        guard n <= data.count * 8 else { throw tooMany }
        var values = [Bool](repeating: false, count: n)
        try withBase(&values) { p in try decoder.booleans(into: p, count: n) }
        return .booleans(values)
    case .byteArray, .fixedLenByteArray:
        let fixed = column.physicalType == .fixedLenByteArray ? (column.typeLength ?? 0) : -1
        guard n <= data.count / max(fixed >= 0 ? fixed : 4, 1) else { throw tooMany }
        let builder = ByteBuilder(capacity: data.count)
        var offsets = [Int32](repeating: 0, count: n + 1)
        try withBase(&offsets) { o in
            for i in 0..<n {
                try builder.append(fixed >= 0 ? decoder.nextFixed(fixed) : decoder.nextByteArray())
                o[i + 1] = Int32(truncatingIfNeeded: builder.count)
            }
        }
        // Padded so the data-page gather may copy short values as two 8-byte words.
        return .bytes(ParquetByteArrays(bytes: builder.take(padding: ByteBuilder.slack), offsets: offsets))
    case .int96:
        throw ParquetError(.unsupported, "INT96 columns are not supported")
    }
}
