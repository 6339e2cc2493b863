
/// ORDER BY over groups (or any batch): compares rows on typed values (integers and doubles
/// as numbers, text by bytes, addresses as text) without boxing, and with a LIMIT keeps only
/// the first rows through a heap instead of sorting them all.
struct GroupOrdering {
    private enum Column {
        case ints([Int64], nulls: [Bool]?)
        case doubles([Double], nulls: [Bool]?)
        case texts([String], nulls: [Bool]?)
    }
    private let columns: [(Column, SortKey)]

    init(keys: [Vector], order: [SortKey], pools: Pools) {
        columns = zip(keys, order).map { vector, key in
            let bound = key.expression
            switch vector.data {
            case .ints(let v) where bound.form != .address && bound.type != .varchar: return (.ints(v, nulls: vector.nulls), key)
            case .doubles(let v): return (.doubles(v, nulls: vector.nulls), key)
            default: return (.texts(vector.strings(type: bound.type, form: bound.form, pools: pools), nulls: vector.nulls), key)
            }
        }
    }

    /// -1, 0, 1: row a against row b.
    @inline(__always)
    func compare(_ a: Int, _ b: Int) -> Int {
        for (column, key) in columns {
            let c: Int
            switch column {
            case .ints(let v, let nulls): c = Self.order(nulls?[a] ?? false, nulls?[b] ?? false, key) ?? (v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0) * (key.ascending ? 1 : -1)
            case .doubles(let v, let nulls): c = Self.order(nulls?[a] ?? false, nulls?[b] ?? false, key) ?? (v[a] < v[b] ? -1 : v[a] > v[b] ? 1 : 0) * (key.ascending ? 1 : -1)
            case .texts(let v, let nulls): c = Self.order(nulls?[a] ?? false, nulls?[b] ?? false, key) ?? Value.bytewise(v[a], v[b]) * (key.ascending ? 1 : -1)
            }
            if c != 0 { return c }
        }
        return a < b ? -1 : a > b ? 1 : 0
    }

    /// Where NULLs go, when either side is NULL.
    @inline(__always)
    private static func order(_ aNull: Bool, _ bNull: Bool, _ key: SortKey) -> Int? {
        if !aNull && !bNull { return nil }
        if aNull && bNull { return 0 }
        return aNull == key.nullsFirst ? -1 : 1
    }

    /// Rows 0..<count in order, the first `limit` of them.
    func ordered(count: Int, limit: Int?) -> [Int] {
        guard let limit, limit < count / 4 else {
            var rows = Array(0..<count)
            rows.sort { compare($0, $1) < 0 }
            return limit.map { Array(rows.prefix($0)) } ?? rows
        }
        guard limit > 0 else { return [] }
        // A max-heap of the best `limit` rows: the root is the worst kept.
        var heap: [Int] = []
        heap.reserveCapacity(limit)
        func siftUp(_ index: Int) {
            var child = index
            while child > 0 {
                let parent = (child - 1) / 2
                guard compare(heap[child], heap[parent]) > 0 else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
        func siftDown(_ index: Int) {
            var parent = index
            while true {
                let left = 2 * parent + 1, right = left + 1
                var largest = parent
                if left < heap.count, compare(heap[left], heap[largest]) > 0 { largest = left }
                if right < heap.count, compare(heap[right], heap[largest]) > 0 { largest = right }
                if largest == parent { return }
                heap.swapAt(parent, largest)
                parent = largest
            }
        }
        for row in 0..<count {
            if heap.count < limit {
                heap.append(row)
                siftUp(heap.count - 1)
            } else if compare(row, heap[0]) < 0 {
                heap[0] = row
                siftDown(0)
            }
        }
        return heap.sorted { compare($0, $1) < 0 }
    }
}
