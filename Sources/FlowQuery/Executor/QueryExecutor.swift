import FlowIngest
import Foundation
import Synchronization

/// Options for running a plan.
public struct ExecutionOptions: Sendable {
    /// Stop the query after this many seconds (nil: no limit).
    public var timeout: Double?
    /// Partitions queried at once (default: the number of cores).
    public var parallelism: Int
    /// Lets another thread stop the query (Ctrl-C).
    public var cancellation: QueryCancellation

    /// Default options.
    public init(timeout: Double? = nil, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
                cancellation: QueryCancellation = QueryCancellation()) {
        self.timeout = timeout
        self.parallelism = max(1, parallelism)
        self.cancellation = cancellation
    }
}

/// Runs a plan: each kept partition's query on its own read-only connection (several at once,
/// on threads of their own), then the merge.
///
/// Blocking SQLite work never runs on Swift's cooperative pool, and the timeout is a dispatch
/// timer, so a timeout or Ctrl-C stops any query at once however many partitions are busy.
/// Memory stays bounded: partition rows travel to the merge in small chunks through bounded
/// queues and are inserted into an on-disk temporary database as they come.
public struct QueryExecutor: Sendable {
    /// The store queried.
    public let store: FlowStore

    /// An executor over `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Runs `plan`, handing each result row to `onRow` in order; an error thrown by `onRow`
    /// (output that cannot be written) stops the query.
    public func execute(_ plan: QueryPlan, options: ExecutionOptions = ExecutionOptions(), onRow: ([SQLiteValue]) throws -> Void) throws {
        let cancellation = options.cancellation
        let timer = options.timeout.map { cancellation.startTimer(seconds: $0) }
        defer { timer?.cancel() }
        do {
            try cancellation.check()
            switch plan.merge {
            case .stream(let limit):
                try streamRows(plan, limit: limit, cancellation: cancellation, onRow: onRow)
            case .merge(let columns, let sql, let bindings):
                try mergeRows(plan, columns: columns, sql: sql, bindings: bindings, options: options, onRow: onRow)
            }
        } catch let error as SQLiteError {
            if cancellation.isCancelled, let stopped = cancellation.error { throw stopped }
            throw QueryError(.execution, error.localizedDescription)
        }
    }

    /// Runs `plan` and collects the whole answer.
    public func collect(_ plan: QueryPlan, options: ExecutionOptions = ExecutionOptions()) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        try execute(plan, options: options) { rows.append($0) }
        return rows
    }

    // MARK: Streaming

    private func streamRows(_ plan: QueryPlan, limit: Int64?, cancellation: QueryCancellation, onRow: ([SQLiteValue]) throws -> Void) throws {
        var remaining = limit ?? Int64.max
        for query in plan.partitionQueries where remaining > 0 {
            let database = try openPartition(query.day)
            let token = cancellation.register(database)
            defer { cancellation.unregister(token) }
            let statement = try database.prepare(query.sql)
            try statement.bind(query.bindings)
            while remaining > 0, try statement.step() {
                try onRow(statement.row())
                remaining -= 1
            }
        }
    }

    // MARK: Merging

    /// What a partition's worker sends to the merge.
    private enum PartitionMessage: Sendable {
        case rows([[SQLiteValue]])
        case done
        case failed(any Error)
    }

    /// Rows per message from a partition to the merge.
    static let chunkRows = 1024
    /// Messages a partition may have queued before its worker waits.
    static let chunksQueued = 4

    private func mergeRows(
        _ plan: QueryPlan, columns: [String], sql: String, bindings: [SQLiteValue], options: ExecutionOptions,
        onRow: ([SQLiteValue]) throws -> Void
    ) throws {
        let cancellation = options.cancellation
        // A private temporary database on disk: large merges spill instead of growing memory.
        let merge = try Database(path: "", mode: .create)
        let mergeToken = cancellation.register(merge)
        defer { cancellation.unregister(mergeToken) }
        try merge.execute("PRAGMA cache_size = -32000; PRAGMA temp_store = FILE;")
        try SQLFunctions.prepare(merge)
        try merge.execute("CREATE TABLE partials(\(columns.map { "\"\($0)\"" }.joined(separator: ", ")))")
        let insert = try merge.prepare("INSERT INTO partials VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")

        let queries = plan.partitionQueries
        let channels = queries.map { _ in BatchQueue<PartitionMessage>(limit: Self.chunksQueued) }
        // Workers start a partition only a few ahead of the merge, so finished partitions
        // waiting their turn stay few.
        let workerCount = min(options.parallelism, queries.count)
        let window = DispatchSemaphore(value: max(1, workerCount * 2))
        let next = Atomic<Int>(0)
        let workers = DispatchGroup()
        let store = self.store
        for index in 0..<workerCount {
            workers.enter()
            let thread = Thread {
                defer { workers.leave() }
                while true {
                    window.wait()
                    let position = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard position < queries.count, !cancellation.isCancelled else { return }
                    let channel = channels[position]
                    do {
                        try QueryExecutor(store: store).run(queries[position], into: channel, cancellation: cancellation)
                    } catch {
                        channel.put(.failed(error))
                    }
                }
            }
            thread.name = "flowq-query-\(index)"
            thread.stackSize = 4 << 20
            thread.start()
        }
        var failure: (any Error)? = nil
        do {
            try merge.execute("BEGIN")
            // Insert in partition order so ties come out the same on every run.
            for channel in channels {
                reading: while let message = channel.take() {
                    switch message {
                    case .rows(let rows):
                        for row in rows {
                            try insert.bind(row)
                            try insert.step()
                            insert.reset()
                        }
                    case .done:
                        break reading
                    case .failed(let error):
                        throw error
                    }
                }
                window.signal()
            }
            try merge.execute("COMMIT")
        } catch {
            failure = error
        }
        if failure != nil {
            // Stop the workers: wake any waiting for the window or blocked on a full channel.
            if !cancellation.isCancelled { cancellation.cancel(.stopped("the query stopped: a partition failed")) }
            for channel in channels { channel.close() }
            for _ in 0..<workerCount { window.signal() }
        }
        for _ in 0..<workerCount { window.signal() }
        workers.wait()
        if let failure { throw failure }
        try cancellation.check()
        let statement = try merge.prepare(sql)
        try statement.bind(bindings)
        while try statement.step() {
            try onRow(statement.row())
        }
    }

    /// Runs one partition's query, sending its rows to `channel` in chunks.
    private func run(_ query: PartitionQuery, into channel: BatchQueue<PartitionMessage>, cancellation: QueryCancellation) throws {
        let database = try openPartition(query.day)
        let token = cancellation.register(database)
        defer { cancellation.unregister(token) }
        let statement = try database.prepare(query.sql)
        try statement.bind(query.bindings)
        var chunk: [[SQLiteValue]] = []
        chunk.reserveCapacity(Self.chunkRows)
        while try statement.step() {
            chunk.append(statement.row())
            if chunk.count == Self.chunkRows {
                guard channel.put(.rows(chunk)) else { return }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        if !chunk.isEmpty { guard channel.put(.rows(chunk)) else { return } }
        channel.put(.done)
    }

    /// Opens a partition read-only, with flowq's functions.
    func openPartition(_ day: PartitionDay) throws -> Database {
        let path = store.partitionPath(for: day)
        guard FileManager.default.fileExists(atPath: path) else {
            throw QueryError(.execution, "the partition for \(day.isoText) is missing from \(store.partitionsURL.path); run `flowq check`")
        }
        let database = try Database(path: path, mode: .readOnly)
        try database.execute("PRAGMA query_only = ON")
        try SQLFunctions.prepare(database)
        return database
    }
}
