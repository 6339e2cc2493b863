/// Variable-length values of one batch column stored contiguously: value `i` is
/// `bytes[offsets[i]..<offsets[i+1]]`, so a batch costs two allocations however many
/// values it holds.
public struct ParquetByteArrays: Sendable, Equatable {
    /// Every value's bytes, back to back.
    public var bytes: [UInt8]
    /// `count + 1` offsets into `bytes`; `offsets[0] == 0`, null rows have empty ranges.
    public var offsets: [Int32]

    /// Wraps already built storage; `offsets` must be non-decreasing, start at 0 and
    /// end at `bytes.count`.
    public init(bytes: [UInt8], offsets: [Int32]) {
        self.bytes = bytes
        self.offsets = offsets
    }

    /// The number of values (rows).
    public var count: Int { offsets.count - 1 }

    /// The byte range of value `i` within `bytes`.
    @inline(__always)
    public func range(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    /// The bytes of value `i`, without copying.
    @inline(__always)
    public subscript(i: Int) -> ArraySlice<UInt8> { bytes[range(i)] }

    /// Value `i` decoded as UTF-8 (invalid sequences repaired); allocates a `String`.
    public func string(at i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
}

/// The values of one column across the rows of one batch.
///
/// Layout is dense by row: slot `i` of whichever array `values` holds belongs to row `i`
/// of the batch, null rows included (they hold 0, 0.0, false or an empty byte range), so
/// consumers index every column by the same row number.
public struct ParquetColumnBatch: Sendable {
    /// The storage for the column's physical type.
    public enum Values: Sendable {
        /// INT32 (widened) and INT64 columns.
        case integers([Int64])
        /// FLOAT (widened) and DOUBLE columns.
        case doubles([Double])
        /// BOOLEAN columns.
        case booleans([Bool])
        /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY columns (strings are UTF-8 bytes).
        case bytes(ParquetByteArrays)
    }

    /// The schema column these values belong to.
    public var column: ParquetColumn
    /// The values, one slot per row.
    public var values: Values
    /// Per-row presence for OPTIONAL columns (`true` = has a value); nil for REQUIRED
    /// columns, whose rows are never null.
    public var validity: [Bool]?
    /// How many rows of this batch are null (0 for REQUIRED columns).
    public var nullCount: Int

    /// Makes a column batch; `validity`, when given, has one entry per row.
    public init(column: ParquetColumn, values: Values, validity: [Bool]?, nullCount: Int) {
        self.column = column
        self.values = values
        self.validity = validity
        self.nullCount = nullCount
    }

    /// The number of rows.
    public var count: Int {
        switch values {
        case .integers(let v): return v.count
        case .doubles(let v): return v.count
        case .booleans(let v): return v.count
        case .bytes(let v): return v.count
        }
    }

    /// Whether row `i` is null.
    @inline(__always)
    public func isNull(_ i: Int) -> Bool { validity.map { !$0[i] } ?? false }

    /// The integer values, if this is an INT32 or INT64 column.
    public var integers: [Int64]? { if case .integers(let v) = values { return v } else { return nil } }
    /// The floating-point values, if this is a FLOAT or DOUBLE column.
    public var doubles: [Double]? { if case .doubles(let v) = values { return v } else { return nil } }
    /// The boolean values, if this is a BOOLEAN column.
    public var booleans: [Bool]? { if case .booleans(let v) = values { return v } else { return nil } }
    /// The byte-array values, if this is a BYTE_ARRAY or FIXED_LEN_BYTE_ARRAY column.
    public var byteArrays: ParquetByteArrays? { if case .bytes(let v) = values { return v } else { return nil } }
}

/// A slice of rows of one row group across the selected columns.
public struct ParquetBatch: Sendable {
    /// The number of rows in this batch (every column holds this many slots).
    public var rowCount: Int
    /// One entry per selected column, in the order the columns were requested.
    public var columns: [ParquetColumnBatch]

    /// Makes a batch.
    public init(rowCount: Int, columns: [ParquetColumnBatch]) {
        self.rowCount = rowCount
        self.columns = columns
    }
}
