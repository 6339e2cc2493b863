/// The Thrift header in front of every page (`PageHeader` in parquet.thrift).
struct PageHeader {
    /// `PageType`: 0 DATA_PAGE, 1 INDEX_PAGE, 2 DICTIONARY_PAGE, 3 DATA_PAGE_V2.
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    var dataPage: DataPageHeader?
    var dictionaryPage: DictionaryPageHeader?
    var dataPageV2: DataPageHeaderV2?

    static let dataPageType: Int32 = 0
    static let indexPageType: Int32 = 1
    static let dictionaryPageType: Int32 = 2
    static let dataPageV2Type: Int32 = 3

    static func decode(_ r: inout ThriftCompactReader) throws -> PageHeader {
        var h = PageHeader()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): h.type = try r.readI32()
            case (2, .i32): h.uncompressedSize = try r.readI32()
            case (3, .i32): h.compressedSize = try r.readI32()
            case (5, .struct): h.dataPage = try DataPageHeader.decode(&r)
            case (7, .struct): h.dictionaryPage = try DictionaryPageHeader.decode(&r)
            case (8, .struct): h.dataPageV2 = try DataPageHeaderV2.decode(&r)
            default: try r.skip(type)  // crc, index page header, statistics, future fields
            }
        }
        guard h.type >= 0, h.uncompressedSize >= 0, h.compressedSize >= 0 else {
            throw ParquetError(.corruptMetadata, "page header lacks type or sizes (or they are negative)")
        }
        switch h.type {
        case dataPageType where h.dataPage == nil,
             dictionaryPageType where h.dictionaryPage == nil,
             dataPageV2Type where h.dataPageV2 == nil:
            throw ParquetError(.corruptMetadata, "page header of type \(h.type) lacks its type-specific header")
        default:
            return h
        }
    }
}

/// Header of a version 1 data page: levels and values are compressed together.
struct DataPageHeader {
    var numValues: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelEncoding: Int32 = -1
    var repetitionLevelEncoding: Int32 = -1

    static func decode(_ r: inout ThriftCompactReader) throws -> DataPageHeader {
        var h = DataPageHeader()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): h.numValues = try r.readI32()
            case (2, .i32): h.encoding = try r.readI32()
            case (3, .i32): h.definitionLevelEncoding = try r.readI32()
            case (4, .i32): h.repetitionLevelEncoding = try r.readI32()
            default: try r.skip(type)
            }
        }
        guard h.numValues >= 0, h.encoding >= 0 else {
            throw ParquetError(.corruptMetadata, "data page header lacks num_values or encoding")
        }
        return h
    }
}

/// Header of a dictionary page: `numValues` distinct values, PLAIN encoded.
struct DictionaryPageHeader {
    var numValues: Int32 = -1
    var encoding: Int32 = -1

    static func decode(_ r: inout ThriftCompactReader) throws -> DictionaryPageHeader {
        var h = DictionaryPageHeader()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): h.numValues = try r.readI32()
            case (2, .i32): h.encoding = try r.readI32()
            default: try r.skip(type)  // is_sorted
            }
        }
        guard h.numValues >= 0, h.encoding >= 0 else {
            throw ParquetError(.corruptMetadata, "dictionary page header lacks num_values or encoding")
        }
        return h
    }
}

/// Header of a version 2 data page: the levels sit uncompressed in front of the
/// (optionally compressed) values, with their byte lengths given here.
struct DataPageHeaderV2 {
    var numValues: Int32 = -1
    var numNulls: Int32 = -1
    var numRows: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelsByteLength: Int32 = -1
    var repetitionLevelsByteLength: Int32 = -1
    /// Absent means true, per parquet.thrift.
    var isCompressed = true

    static func decode(_ r: inout ThriftCompactReader) throws -> DataPageHeaderV2 {
        var h = DataPageHeaderV2()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): h.numValues = try r.readI32()
            case (2, .i32): h.numNulls = try r.readI32()
            case (3, .i32): h.numRows = try r.readI32()
            case (4, .i32): h.encoding = try r.readI32()
            case (5, .i32): h.definitionLevelsByteLength = try r.readI32()
            case (6, .i32): h.repetitionLevelsByteLength = try r.readI32()
            case (7, .boolTrue), (7, .boolFalse): h.isCompressed = r.boolValue(type)
            default: try r.skip(type)
            }
        }
        guard h.numValues >= 0, h.numNulls >= 0, h.numRows >= 0, h.encoding >= 0,
              h.definitionLevelsByteLength >= 0, h.repetitionLevelsByteLength >= 0 else {
            throw ParquetError(.corruptMetadata, "data page v2 header lacks a required field or has a negative one")
        }
        return h
    }
}
