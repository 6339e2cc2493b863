import FlowIngest
import Foundation
import Synchronization

/// Options for running a plan.
public struct ExecutionOptions: Sendable {
    /// Stop the query after this long (nil: no limit).
    public var timeout: Duration?
    /// Partitions queried at once (default: the number of cores).
    public var parallelism: Int
    /// Lets another thread stop the query (Ctrl-C).
    public var cancellation: QueryCancellation

    /// Default options.
    public init(timeout: Duration? = nil, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
                cancellation: QueryCancellation = QueryCancellation()) {
        self.timeout = timeout
        self.parallelism = max(1, parallelism)
        self.cancellation = cancellation
    }
}

/// Runs a plan: each kept partition's query on its own read-only connection (several at
/// once), then the merge.
public struct QueryExecutor: Sendable {
    /// The store queried.
    public let store: FlowStore

    /// An executor over `store`.
    public init(store: FlowStore) {
        self.store = store
    }

    /// Runs `plan`, handing each result row to `onRow` in order.
    public func execute(_ plan: QueryPlan, options: ExecutionOptions = ExecutionOptions(), onRow: ([SQLiteValue]) throws -> Void) async throws {
        let interrupts = options.cancellation
        let watchdog = options.timeout.map { timeout in
            Task {
                try await Task.sleep(for: timeout)
                interrupts.interruptAll(reason: "the query ran longer than its --timeout of \(timeout)")
            }
        }
        defer { watchdog?.cancel() }
        do {
            switch plan.merge {
            case .stream(let limit):
                try streamRows(plan, limit: limit, interrupts: interrupts, onRow: onRow)
            case .merge(let columns, let sql, let bindings):
                try await mergeRows(plan, columns: columns, sql: sql, bindings: bindings, options: options, interrupts: interrupts, onRow: onRow)
            }
        } catch let error as SQLiteError where error.isInterrupt {
            throw QueryError(.execution, interrupts.reason ?? "the query was cancelled")
        } catch let error as SQLiteError {
            throw QueryError(.execution, error.localizedDescription)
        }
    }

    /// Runs `plan` and collects the whole answer.
    public func collect(_ plan: QueryPlan, options: ExecutionOptions = ExecutionOptions()) async throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        try await execute(plan, options: options) { rows.append($0) }
        return rows
    }

    // MARK: Streaming

    private func streamRows(_ plan: QueryPlan, limit: Int64?, interrupts: QueryCancellation, onRow: ([SQLiteValue]) throws -> Void) throws {
        var remaining = limit ?? Int64.max
        for query in plan.partitionQueries where remaining > 0 {
            try Task.checkCancellation()
            let database = try openPartition(query.day)
            let token = interrupts.register(database.interruptHandle)
            // The connection must outlive its registration: a timeout may interrupt it.
            defer { interrupts.unregister(token); withExtendedLifetime(database) {} }
            let statement = try database.prepare(query.sql)
            try statement.bind(query.bindings)
            while remaining > 0, try statement.step() {
                if remaining & 0xFFF == 0 { try interrupts.check() }
                try onRow(statement.row())
                remaining -= 1
            }
        }
    }

    // MARK: Merging

    private func mergeRows(
        _ plan: QueryPlan, columns: [String], sql: String, bindings: [SQLiteValue], options: ExecutionOptions,
        interrupts: QueryCancellation, onRow: ([SQLiteValue]) throws -> Void
    ) async throws {
        // A private temporary database on disk: large merges spill instead of growing memory.
        let merge = try Database(path: "", mode: .create)
        let mergeToken = interrupts.register(merge.interruptHandle)
        defer { interrupts.unregister(mergeToken); withExtendedLifetime(merge) {} }
        try merge.execute("PRAGMA cache_size = -32000; PRAGMA temp_store = FILE;")
        try SQLFunctions.prepare(merge)
        try merge.execute("CREATE TABLE partials(\(columns.map { "\"\($0)\"" }.joined(separator: ", ")))")
        let insert = try merge.prepare("INSERT INTO partials VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")

        let queries = plan.partitionQueries
        let store = self.store
        try merge.execute("BEGIN")
        try await withThrowingTaskGroup(of: (Int, [[SQLiteValue]]).self) { group in
            var next = 0
            var finished: [Int: [[SQLiteValue]]] = [:]
            var inserted = 0
            func launch() {
                let index = next
                let query = queries[index]
                next += 1
                group.addTask {
                    try Task.checkCancellation()
                    let database = try QueryExecutor(store: store).openPartition(query.day)
                    let token = interrupts.register(database.interruptHandle)
                    defer { interrupts.unregister(token); withExtendedLifetime(database) {} }
                    let statement = try database.prepare(query.sql)
                    try statement.bind(query.bindings)
                    var rows: [[SQLiteValue]] = []
                    while try statement.step() { rows.append(statement.row()) }
                    return (index, rows)
                }
            }
            while next < queries.count && next < options.parallelism { launch() }
            while let (index, rows) = try await group.next() {
                if next < queries.count { launch() }
                finished[index] = rows
                // Insert in partition order so ties come out the same on every run.
                while let ready = finished.removeValue(forKey: inserted) {
                    try interrupts.check()
                    for row in ready {
                        try insert.bind(row)
                        try insert.step()
                    }
                    inserted += 1
                }
            }
        }
        try merge.execute("COMMIT")
        let statement = try merge.prepare(sql)
        try statement.bind(bindings)
        while try statement.step() {
            try onRow(statement.row())
        }
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

/// Stops a running query from any thread: every SQLite connection it has open is interrupted,
/// and the query fails with the reason given.
public final class QueryCancellation: Sendable {
    private struct State {
        var handles: [Int: InterruptHandle] = [:]
        var nextToken = 0
        var reason: String?
    }
    private let state = Mutex(State())

    /// A cancellation that has not fired.
    public init() {}

    /// Why the query was interrupted, if it was.
    public var reason: String? { state.withLock { $0.reason } }

    func register(_ handle: InterruptHandle) -> Int {
        state.withLock { state in
            state.nextToken += 1
            state.handles[state.nextToken] = handle
            if state.reason != nil { handle.interrupt() }
            return state.nextToken
        }
    }

    func unregister(_ token: Int) {
        _ = state.withLock { $0.handles.removeValue(forKey: token) }
    }

    /// Throws the cancellation as an interrupt when it has fired (for loops outside SQLite).
    func check() throws {
        if reason != nil { throw SQLiteError(code: 9, message: "interrupted") }
    }

    /// Interrupts everything the query runs, now and from now on.
    public func cancel(reason: String) {
        interruptAll(reason: reason)
    }

    func interruptAll(reason: String) {
        state.withLock { state in
            state.reason = reason
            for handle in state.handles.values { handle.interrupt() }
        }
    }
}
