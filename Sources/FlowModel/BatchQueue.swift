import Foundation

/// A small blocking queue between the threads of an ingest: readers hand parsed batches to
/// writer lanes, and everyone reports to the coordinating thread. Bounded queues keep memory
/// flat whatever the file size; an unbounded one (`limit: .max`) never blocks its senders.
///
/// `@unchecked Sendable`: every access to `items` and `closed` happens under `condition`'s
/// lock, and what travels through it is touched by one side at a time (the sender gives an
/// element up when it puts it in the queue).
package final class BatchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken slots are set to nil at once, so a queue never keeps a batch alive.
    private var items: [Element?] = []
    private var head = 0
    private let limit: Int
    private var closed = false
    /// Threads waiting in `put` or `take`; nobody to wake means no futex call.
    private var waiting = 0

    package init(limit: Int) {
        self.limit = limit
    }

    /// Adds an element, waiting while the queue is full; false if the queue was closed.
    @discardableResult
    package func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count - head >= limit && !closed { wait() }
        guard !closed else { return false }
        items.append(element)
        if waiting > 0 { condition.broadcast() }
        return true
    }

    /// Takes the next element, waiting while the queue is empty; nil once it is closed.
    package func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.count == head && !closed { wait() }
        guard !closed else { return nil }
        guard let element = items[head] else { return nil }
        items[head] = nil
        head += 1
        // Compact now and then rather than shifting the array on every take.
        if head >= 64 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        if waiting > 0 { condition.broadcast() }
        return element
    }

    /// Waits for a change; the caller holds the lock.
    private func wait() {
        waiting += 1
        condition.wait()
        waiting -= 1
    }

    /// Stops the queue: pending elements are dropped, `put` returns false and `take` nil.
    package func close() {
        condition.lock()
        closed = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }
}
