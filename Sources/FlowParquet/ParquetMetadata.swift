/// The file footer (`FileMetaData` in parquet.thrift), decoded as far as a flat-schema
/// reader needs. Unknown and unused fields are skipped, so files from newer writers
/// (column indexes, bloom filters, encryption fields we never touch) still open.
struct FileMetaData {
    var version: Int32 = 0
    var schema: [SchemaElement] = []
    var numRows: Int64 = 0
    var rowGroups: [RowGroup] = []
    var createdBy: String?

    static func decode(_ r: inout ThriftCompactReader) throws -> FileMetaData {
        var m = FileMetaData()
        var seen = Set<Int16>()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): m.version = try r.readI32()
            case (2, .list): m.schema = try r.readList { r, t in try SchemaElement.decodeElement(&r, t) }
            case (3, .i64): m.numRows = try r.readI64()
            case (4, .list): m.rowGroups = try r.readList { r, t in try RowGroup.decodeElement(&r, t) }
            case (6, .binary): m.createdBy = try r.readString()
            default: try r.skip(type); return
            }
            seen.insert(id)
        }
        for required: Int16 in [1, 2, 3, 4] where !seen.contains(required) {
            throw ParquetError(.corruptMetadata, "footer lacks required FileMetaData field \(required)")
        }
        return m
    }
}

/// Raises the standard complaint when a list holds something other than structs.
func expectStruct(_ type: ThriftCompactType, _ what: String) throws {
    guard type == .struct else {
        throw ParquetError(.corruptMetadata, "\(what) list holds Thrift type \(type.rawValue), not structs")
    }
}

/// One node of the schema tree (`SchemaElement`), stored depth-first in the footer.
struct SchemaElement {
    var type: Int32?
    var typeLength: Int32?
    var repetition: Int32?
    var name = ""
    var numChildren: Int32?
    var convertedType: Int32?
    var scale: Int32?
    var precision: Int32?
    /// The field id of the set member of the `LogicalType` union, plus the two INTEGER
    /// attributes, which are all a flow-log reader displays.
    var logicalTypeID: Int16?
    var logicalIntBitWidth: Int8?
    var logicalIntSigned: Bool?

    static func decodeElement(_ r: inout ThriftCompactReader, _ type: ThriftCompactType) throws -> SchemaElement {
        try expectStruct(type, "schema")
        var e = SchemaElement()
        var named = false
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): e.type = try r.readI32()
            case (2, .i32): e.typeLength = try r.readI32()
            case (3, .i32): e.repetition = try r.readI32()
            case (4, .binary): e.name = try r.readString(); named = true
            case (5, .i32): e.numChildren = try r.readI32()
            case (6, .i32): e.convertedType = try r.readI32()
            case (7, .i32): e.scale = try r.readI32()
            case (8, .i32): e.precision = try r.readI32()
            case (10, .struct): try e.decodeLogicalType(&r)
            default: try r.skip(type)
            }
        }
        guard named else { throw ParquetError(.corruptMetadata, "schema element without a name") }
        return e
    }

    /// `LogicalType` is a union: exactly one field is set, and its id says which type.
    private mutating func decodeLogicalType(_ r: inout ThriftCompactReader) throws {
        var found: Int16?
        var bitWidth: Int8?
        var signed: Bool?
        try r.readStruct { r, id, type in
            found = id
            if id == 10 && type == .struct {
                try r.readStruct { r, field, fieldType in
                    switch (field, fieldType) {
                    case (1, .byte): bitWidth = try r.readI8()
                    case (2, .boolTrue), (2, .boolFalse): signed = r.boolValue(fieldType)
                    default: try r.skip(fieldType)
                    }
                }
            } else {
                try r.skip(type)
            }
        }
        logicalTypeID = found
        logicalIntBitWidth = bitWidth
        logicalIntSigned = signed
    }
}

/// A horizontal slice of the table (`RowGroup`).
struct RowGroup {
    var columns: [ColumnChunk] = []
    var numRows: Int64 = 0

    static func decodeElement(_ r: inout ThriftCompactReader, _ type: ThriftCompactType) throws -> RowGroup {
        try expectStruct(type, "row group")
        var g = RowGroup()
        var hasRows = false
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .list): g.columns = try r.readList { r, t in try ColumnChunk.decodeElement(&r, t) }
            case (3, .i64): g.numRows = try r.readI64(); hasRows = true
            default: try r.skip(type)
            }
        }
        guard hasRows else { throw ParquetError(.corruptMetadata, "row group lacks num_rows") }
        return g
    }
}

/// One column's data within a row group (`ColumnChunk`).
struct ColumnChunk {
    var filePath: String?
    var metaData: ColumnMetaData?

    static func decodeElement(_ r: inout ThriftCompactReader, _ type: ThriftCompactType) throws -> ColumnChunk {
        try expectStruct(type, "column chunk")
        var c = ColumnChunk()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .binary): c.filePath = try r.readString()
            case (3, .struct): c.metaData = try ColumnMetaData.decode(&r)
            default: try r.skip(type)
            }
        }
        return c
    }
}

/// Where a column chunk's pages are and how they are compressed (`ColumnMetaData`).
struct ColumnMetaData {
    var type: Int32 = -1
    var encodings: [Int32] = []
    var pathInSchema: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalUncompressedSize: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?

    static func decode(_ r: inout ThriftCompactReader) throws -> ColumnMetaData {
        var m = ColumnMetaData()
        var seen = Set<Int16>()
        try r.readStruct { r, id, type in
            switch (id, type) {
            case (1, .i32): m.type = try r.readI32()
            case (2, .list): m.encodings = try r.readList { r, t in
                    guard t == .i32 else { throw ParquetError(.corruptMetadata, "encodings list is not i32") }
                    return try r.readI32()
                }
            case (3, .list): m.pathInSchema = try r.readList { r, t in
                    guard t == .binary else { throw ParquetError(.corruptMetadata, "path_in_schema is not strings") }
                    return try r.readString()
                }
            case (4, .i32): m.codec = try r.readI32()
            case (5, .i64): m.numValues = try r.readI64()
            case (6, .i64): m.totalUncompressedSize = try r.readI64()
            case (7, .i64): m.totalCompressedSize = try r.readI64()
            case (9, .i64): m.dataPageOffset = try r.readI64()
            case (11, .i64): m.dictionaryPageOffset = try r.readI64()
            default: try r.skip(type); return
            }
            seen.insert(id)
        }
        for required: Int16 in [1, 4, 5, 7, 9] where !seen.contains(required) {
            throw ParquetError(.corruptMetadata, "column metadata lacks required field \(required)")
        }
        return m
    }
}
