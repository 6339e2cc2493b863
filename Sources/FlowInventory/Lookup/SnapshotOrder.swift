/// Which of two snapshots is newer: the one describing the later time (`as_of`), then the one
/// added later (its id). The one rule every reader of the inventory follows (the tables queries
/// join, the reports) for "the newest snapshot that lists an object".
public struct SnapshotOrder: Comparable, Hashable, Sendable {
    /// The time the snapshot describes, Unix seconds.
    public let asOf: Int64
    /// The snapshot's id (ids grow as snapshots are added).
    public let id: Int64

    /// The place of snapshot `id`, true at `asOf`.
    public init(asOf: Int64, id: Int64) {
        self.asOf = asOf
        self.id = id
    }

    public static func < (a: SnapshotOrder, b: SnapshotOrder) -> Bool {
        (a.asOf, a.id) < (b.asOf, b.id)
    }

    /// For each object, the newest snapshot among those that list it.
    public static func newest<Item, Key: Hashable>(_ items: [Item], object: (Item) -> Key,
                                                   snapshot: (Item) -> SnapshotOrder) -> [Key: SnapshotOrder] {
        var best: [Key: SnapshotOrder] = [:]
        best.reserveCapacity(items.count)
        for item in items {
            let key = object(item), order = snapshot(item)
            if let current = best[key], current >= order { continue }
            best[key] = order
        }
        return best
    }
}
