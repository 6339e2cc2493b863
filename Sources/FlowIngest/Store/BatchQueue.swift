import Foundation

/// A small blocking queue between the thread that reads and parses a file and the thread that
/// writes it to SQLite, so both cores work at once while memory stays bounded.
///
/// `@unchecked Sendable`: every access to `items` and `closed` happens under `condition`'s
/// lock, and a `RecordBatch` is touched by one thread at a time (the sender gives it up when it
/// puts it in the queue).
final class BatchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private let limit: Int
    private var closed = false

    init(limit: Int) {
        self.limit = limit
    }

    /// Adds an element, waiting while the queue is full; false if the receiver gave up.
    @discardableResult
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= limit && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(element)
        condition.broadcast()
        return true
    }

    /// Takes the next element, waiting while the queue is empty.
    func take() -> Element {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let element = items.removeFirst()
        condition.broadcast()
        return element
    }

    /// Tells the sender to stop: later `put`s return false at once.
    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
