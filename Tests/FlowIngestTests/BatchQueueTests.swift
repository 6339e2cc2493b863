import FlowModel
import Foundation
import Testing

@Suite("The queues between ingest threads")
struct BatchQueueTests {
    private final class Payload {}

    @Test("a taken element is not kept alive by the queue")
    func releasesTakenElements() {
        let queue = BatchQueue<Payload>(limit: 100)
        weak var first: Payload?
        do {
            let payload = Payload()
            first = payload
            queue.put(payload)
            for _ in 0..<10 { queue.put(Payload()) }
        }
        _ = queue.take()
        // The queue still holds ten elements, but not the one taken.
        #expect(first == nil)
    }

    @Test("elements come out in order across compactions; a full queue blocks its sender until there is room")
    func orderAndBackPressure() {
        let queue = BatchQueue<Int>(limit: 3)
        let sender = Thread { for i in 0..<1_000 { queue.put(i) } }
        sender.start()
        var received: [Int] = []
        for _ in 0..<1_000 { if let value = queue.take() { received.append(value) } }
        #expect(received == Array(0..<1_000))
    }

    @Test("closing wakes a waiting taker with nil and refuses later puts")
    func close() {
        let queue = BatchQueue<Int>(limit: 2)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Int? = 7
        let taker = Thread {
            result = queue.take()
            done.signal()
        }
        taker.start()
        Thread.sleep(forTimeInterval: 0.05)
        queue.close()
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(result == nil)
        #expect(queue.put(1) == false)
    }
}
