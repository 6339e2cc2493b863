/// How a column's values are stored on disk (`Type` in parquet.thrift).
public enum ParquetPhysicalType: String, Sendable, Equatable {
    /// One bit per value.
    case boolean = "BOOLEAN"
    /// 32-bit signed integer; delivered widened to `Int64`.
    case int32 = "INT32"
    /// 64-bit signed integer.
    case int64 = "INT64"
    /// Legacy 96-bit timestamp; listed but rejected when selected.
    case int96 = "INT96"
    /// IEEE 32-bit float; delivered widened to `Double`.
    case float = "FLOAT"
    /// IEEE 64-bit float.
    case double = "DOUBLE"
    /// Variable-length bytes (strings when the logical type says so).
    case byteArray = "BYTE_ARRAY"
    /// Bytes of the fixed length given by `ParquetColumn.typeLength`.
    case fixedLenByteArray = "FIXED_LEN_BYTE_ARRAY"

    init?(thrift value: Int32) {
        switch value {
        case 0: self = .boolean
        case 1: self = .int32
        case 2: self = .int64
        case 3: self = .int96
        case 4: self = .float
        case 5: self = .double
        case 6: self = .byteArray
        case 7: self = .fixedLenByteArray
        default: return nil
        }
    }
}

/// What a column's values mean, from the schema's `LogicalType` or, for older writers,
/// its `ConvertedType`.
public enum ParquetLogicalType: Sendable, Equatable {
    /// No annotation: the physical type is all there is.
    case none
    /// UTF-8 text (`STRING` / `UTF8`): every text field of a flow log.
    case string
    /// An enum stored as UTF-8 text.
    case enumeration
    /// JSON text.
    case json
    /// A 16-byte UUID.
    case uuid
    /// An integer narrower or unsigned compared with its physical type.
    case integer(bitWidth: Int, signed: Bool)
    /// A decimal with the given scale and precision.
    case decimal(scale: Int, precision: Int)
    /// Days since the Unix epoch.
    case date
    /// A time of day.
    case time
    /// A timestamp.
    case timestamp
    /// Any other annotation, by its parquet.thrift name.
    case other(String)
}

/// One leaf column of a flat schema.
public struct ParquetColumn: Sendable, Equatable {
    /// Position in `ParquetFile.columns`, the index `rows(ofRowGroup:columns:batchSize:)` takes.
    public var index: Int
    /// The column's name, e.g. `srcaddr` (AWS spells flow-log fields with underscores).
    public var name: String
    /// The on-disk type.
    public var physicalType: ParquetPhysicalType
    /// The annotated meaning (string, integer width, …).
    public var logicalType: ParquetLogicalType
    /// Byte length of each value for `FIXED_LEN_BYTE_ARRAY`, else nil.
    public var typeLength: Int?
    /// Whether the column may hold nulls (schema repetition OPTIONAL).
    public var isOptional: Bool
}

extension ParquetLogicalType {
    /// Prefers the newer `LogicalType` union and falls back to `ConvertedType`.
    init(_ e: SchemaElement) {
        if let id = e.logicalTypeID {
            switch id {
            case 1: self = .string
            case 4: self = .enumeration
            case 5: self = .decimal(scale: Int(e.scale ?? 0), precision: Int(e.precision ?? 0))
            case 6: self = .date
            case 7: self = .time
            case 8: self = .timestamp
            case 10: self = .integer(bitWidth: Int(e.logicalIntBitWidth ?? 0), signed: e.logicalIntSigned ?? true)
            case 12: self = .json
            case 14: self = .uuid
            default: self = .other("LogicalType field \(id)")
            }
            return
        }
        guard let converted = e.convertedType else { self = .none; return }
        switch converted {
        case 0: self = .string
        case 4: self = .enumeration
        case 5: self = .decimal(scale: Int(e.scale ?? 0), precision: Int(e.precision ?? 0))
        case 6: self = .date
        case 7, 8: self = .time
        case 9, 10: self = .timestamp
        case 11: self = .integer(bitWidth: 8, signed: false)
        case 12: self = .integer(bitWidth: 16, signed: false)
        case 13: self = .integer(bitWidth: 32, signed: false)
        case 14: self = .integer(bitWidth: 64, signed: false)
        case 15: self = .integer(bitWidth: 8, signed: true)
        case 16: self = .integer(bitWidth: 16, signed: true)
        case 17: self = .integer(bitWidth: 32, signed: true)
        case 18: self = .integer(bitWidth: 64, signed: true)
        case 19: self = .json
        default: self = .other("ConvertedType \(converted)")
        }
    }
}

/// Compression codecs (`CompressionCodec`); only the first three are implemented.
enum ParquetCodec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7

    /// The parquet.thrift spelling, for messages.
    static func name(_ raw: Int32) -> String {
        switch ParquetCodec(rawValue: raw) {
        case .uncompressed: return "UNCOMPRESSED"
        case .snappy: return "SNAPPY"
        case .gzip: return "GZIP"
        case .lzo: return "LZO"
        case .brotli: return "BROTLI"
        case .lz4: return "LZ4"
        case .zstd: return "ZSTD"
        case .lz4Raw: return "LZ4_RAW"
        case nil: return "codec \(raw)"
        }
    }
}

/// Page encodings (`Encoding`).
enum ParquetEncoding {
    static let plain: Int32 = 0
    static let plainDictionary: Int32 = 2
    static let rle: Int32 = 3
    static let bitPacked: Int32 = 4
    static let rleDictionary: Int32 = 8

    /// The parquet.thrift spelling, for messages.
    static func name(_ raw: Int32) -> String {
        switch raw {
        case 0: return "PLAIN"
        case 2: return "PLAIN_DICTIONARY"
        case 3: return "RLE"
        case 4: return "BIT_PACKED"
        case 5: return "DELTA_BINARY_PACKED"
        case 6: return "DELTA_LENGTH_BYTE_ARRAY"
        case 7: return "DELTA_BYTE_ARRAY"
        case 8: return "RLE_DICTIONARY"
        case 9: return "BYTE_STREAM_SPLIT"
        default: return "encoding \(raw)"
        }
    }
}
