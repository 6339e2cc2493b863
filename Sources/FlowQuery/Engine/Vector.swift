import FlowModel
import FlowSQLite

/// A batch of values of one expression, one per selected row: the engine's unit of work.
///
/// What an integer means follows the expression's type and form (`Bound`): a number, a
/// boolean, a date, a timestamp in milliseconds, a `StringPool` id for text read from storage,
/// an `AddressPool` code for addresses. Computed text is held as strings.
struct Vector {
    enum Data {
        case ints([Int64])
        case doubles([Double])
        case strings([String])
        case values([Value])
    }

    var data: Data
    /// NULL flags; nil when no value is NULL.
    var nulls: [Bool]?
    let count: Int

    init(_ data: Data, nulls: [Bool]?, count: Int) {
        self.data = data
        self.nulls = nulls
        self.count = count
    }

    static func ints(_ values: [Int64], nulls: [Bool]? = nil) -> Vector { Vector(.ints(values), nulls: nulls, count: values.count) }
    static func doubles(_ values: [Double], nulls: [Bool]? = nil) -> Vector { Vector(.doubles(values), nulls: nulls, count: values.count) }
    static func strings(_ values: [String], nulls: [Bool]? = nil) -> Vector { Vector(.strings(values), nulls: nulls, count: values.count) }

    /// `count` copies of a value held as `bound` describes.
    static func broadcast(_ value: Value, count: Int, type: SQLType, form: Bound.Form, pools: Pools) -> Vector {
        let nulls: [Bool]? = value.isNull ? [Bool](repeating: true, count: count) : nil
        switch value {
        case .null:
            if type == .double { return .doubles([Double](repeating: 0, count: count), nulls: nulls) }
            if type == .varchar && form == .plain { return .strings([String](repeating: "", count: count), nulls: nulls) }
            return .ints([Int64](repeating: 0, count: count), nulls: nulls)
        case .int(let v): return .ints([Int64](repeating: v, count: count))
        case .double(let v): return .doubles([Double](repeating: v, count: count))
        case .string(let s): return .strings([String](repeating: s, count: count))
        case .address(let a): return .ints([Int64](repeating: pools.addresses.code(for: a), count: count))
        case .array: return Vector(.values([Value](repeating: value, count: count)), nulls: nil, count: count)
        }
    }

    @inline(__always)
    func isNull(_ index: Int) -> Bool { nulls?[index] ?? false }

    /// The value at `index` as a scalar, for the slow path.
    func value(at index: Int, type: SQLType, form: Bound.Form, pools: Pools) -> Value {
        if isNull(index) { return .null }
        switch data {
        case .ints(let values):
            let v = values[index]
            if form == .address { return .address(pools.addresses.address(v)) }
            if type == .varchar { return .string(pools.strings.string(v)) }
            return .int(v)
        case .doubles(let values): return .double(values[index])
        case .strings(let values): return .string(values[index])
        case .values(let values): return values[index]
        }
    }

    /// Every value as scalars.
    func values(type: SQLType, form: Bound.Form, pools: Pools) -> [Value] {
        if case .values(let values) = data, nulls == nil { return values }
        return (0..<count).map { value(at: $0, type: type, form: form, pools: pools) }
    }

    /// Scalars as a vector of `type` and `form`.
    static func from(_ values: [Value], type: SQLType, form: Bound.Form, pools: Pools) -> Vector {
        let count = values.count
        var nulls: [Bool]? = nil
        func markNull(_ index: Int) {
            if nulls == nil { nulls = [Bool](repeating: false, count: count) }
            nulls![index] = true
        }
        if form == .address {
            var codes = [Int64](repeating: 0, count: count)
            for (index, value) in values.enumerated() {
                switch value {
                case .address(let a): codes[index] = pools.addresses.code(for: a)
                case .string(let s):
                    if let a = IPAddress(s) { codes[index] = pools.addresses.code(for: a) } else { markNull(index) }
                default: markNull(index)
                }
            }
            return .ints(codes, nulls: nulls)
        }
        switch type {
        case .double:
            var out = [Double](repeating: 0, count: count)
            for (index, value) in values.enumerated() {
                if let d = value.double { out[index] = d } else { markNull(index) }
            }
            return .doubles(out, nulls: nulls)
        case .varchar, .unknown where values.contains(where: { $0.string != nil }):
            var out = [String](repeating: "", count: count)
            for (index, value) in values.enumerated() {
                if case .string(let s) = value { out[index] = s } else { markNull(index) }
            }
            return .strings(out, nulls: nulls)
        case .array:
            var out = values
            for (index, value) in values.enumerated() where value.isNull { markNull(index); out[index] = .null }
            return Vector(.values(out), nulls: nulls, count: count)
        default:
            var out = [Int64](repeating: 0, count: count)
            for (index, value) in values.enumerated() {
                switch value {
                case .int(let v): out[index] = v
                case .double(let d): out[index] = Int64(d)
                default: markNull(index)
                }
            }
            return .ints(out, nulls: nulls)
        }
    }

    /// The values as text (pooled ids decoded, addresses written out), for text functions.
    func strings(type: SQLType, form: Bound.Form, pools: Pools) -> [String] {
        switch data {
        case .strings(let values): return values
        case .ints(let values):
            if form == .address { return values.enumerated().map { isNull($0.offset) ? "" : pools.addresses.address($0.element).text } }
            if type == .varchar { return values.withUnsafeBufferPointer { pools.strings.strings($0, nulls: nulls) } }
            return values.enumerated().map { index, v in isNull(index) ? "" : (ScalarEvaluator.text(.int(v), type: type).string ?? "") }
        case .doubles(let values): return values.map { ValueText.formatDouble($0) }
        case .values(let values): return values.map { $0.string ?? "" }
        }
    }

    /// The integers, when the vector holds them.
    var intValues: [Int64]? { if case .ints(let v) = data { return v } else { return nil } }

    /// The values at `positions` (a selection of this vector's rows).
    func gathered(_ positions: [Int32]) -> Vector {
        let g = nulls.map { n in positions.map { n[Int($0)] } }
        switch data {
        case .ints(let v): return .ints(Self.gather(v, positions), nulls: g)
        case .doubles(let v): return .doubles(positions.map { v[Int($0)] }, nulls: g)
        case .strings(let v): return .strings(positions.map { v[Int($0)] }, nulls: g)
        case .values(let v): return Vector(.values(positions.map { v[Int($0)] }), nulls: g, count: positions.count)
        }
    }

    /// `values` at `positions`, in a tight loop (the positions are this vector's rows).
    private static func gather(_ values: [Int64], _ positions: [Int32]) -> [Int64] {
        values.withUnsafeBufferPointer { source in
            positions.withUnsafeBufferPointer { at in
                [Int64](unsafeUninitializedCapacity: at.count) { out, initialized in
                    for index in 0..<at.count { out[index] = source[Int(at[index])] }
                    initialized = at.count
                }
            }
        }
    }

    /// The values at `positions`, NULL where a position is `missing` (a LEFT JOIN's row
    /// without a match).
    func gathered(_ positions: [Int32], missingAt missing: Int32) -> Vector {
        guard positions.contains(missing) else { return gathered(positions) }
        let safe = positions.map { $0 == missing ? 0 : $0 }
        var result = count == 0 ? Vector.ints([Int64](repeating: 0, count: positions.count)) : gathered(safe)
        var nulls = result.nulls ?? [Bool](repeating: false, count: positions.count)
        for (index, position) in positions.enumerated() where position == missing { nulls[index] = true }
        result.nulls = nulls
        return result
    }

    /// The output value at `index`, as the result writers take it.
    func output(at index: Int, type: SQLType, form: Bound.Form, pools: Pools) -> SQLiteValue {
        if isNull(index) { return .null }
        switch data {
        case .ints(let values):
            let v = values[index]
            if form == .address { return .text(pools.addresses.address(v).text) }
            switch type {
            case .varchar: return .text(pools.strings.string(v))
            case .date: return .text(PartitionDay(dayNumber: Int32(truncatingIfNeeded: v)).isoText)
            case .timestamp: return .text(Timestamps.format(milliseconds: v))
            case .double: return .real(Double(v))
            default: return .integer(v)
            }
        case .doubles(let values): return values[index].isNaN ? .text("NaN") : .real(values[index])
        case .strings(let values): return .text(values[index])
        case .values(let values): return values[index].output(type)
        }
    }
}
