import FlowModel
import FlowSQLite
import FlowStore
import Foundation
import Synchronization

/// Options for running a plan.
public struct ExecutionOptions: Sendable {
    /// Stop the query after this many seconds (nil: no limit).
    public var timeout: Double?
    /// Partitions scanned at once (default: the number of cores).
    public var parallelism: Int
    /// Lets another thread stop the query (Ctrl-C).
    public var cancellation: QueryCancellation
    /// The most memory the query's groups may take before it fails with a message.
    public var memoryLimit: Int

    /// The default memory limit for groups: far below the machine, far above what everyday
    /// questions need.
    public static let defaultMemoryLimit = 2 << 30

    /// Default options.
    public init(timeout: Double? = nil, parallelism: Int = ProcessInfo.processInfo.activeProcessorCount,
                cancellation: QueryCancellation = QueryCancellation(), memoryLimit: Int = ExecutionOptions.defaultMemoryLimit) {
        self.timeout = timeout
        self.parallelism = max(1, parallelism)
        self.cancellation = cancellation
        self.memoryLimit = memoryLimit
    }
}

/// Runs a plan over the store's column segments, on threads of its own (never Swift's
/// cooperative pool): each worker takes the next partition, skips segments by zone maps,
/// filters with selection vectors, and aggregates, sorts or streams what passes.
///
/// Answers are exact and ordered the same on every run: aggregates merge across workers,
/// streamed rows come out partition by partition (oldest day first), sorts are stable.
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
            let run = try QueryRun(store: store, plan: plan, options: options)
            try cancellation.check()
            switch plan.shape {
            case .aggregate(let aggregate):
                try run.aggregate(aggregate, onRow: onRow)
            case .rows(let outputs, let order, let limit):
                if order.isEmpty {
                    try run.stream(outputs, limit: limit, onRow: onRow)
                } else {
                    try run.sorted(outputs, order: order, limit: limit, onRow: onRow)
                }
            }
        } catch let error as SQLiteError {
            if cancellation.isCancelled, let stopped = cancellation.error { throw stopped }
            throw QueryError(.execution, error.localizedDescription)
        } catch let error as IntegerColumnCodec.CorruptColumn {
            throw QueryError(.execution, "the store is damaged (\(error)); run `flowq check`")
        } catch let error as QueryError {
            if error.kind == .execution, cancellation.isCancelled, let stopped = cancellation.error, error.message.contains("interrupted") { throw stopped }
            throw error
        }
    }

    /// Runs `plan` and collects the whole answer.
    public func collect(_ plan: QueryPlan, options: ExecutionOptions = ExecutionOptions()) throws -> [[SQLiteValue]] {
        var rows: [[SQLiteValue]] = []
        try execute(plan, options: options) { rows.append($0) }
        return rows
    }
}

/// One execution of a plan: the pools its values are numbered in, and its workers.
final class QueryRun: @unchecked Sendable {
    // `@unchecked Sendable`: every stored property is a `let` of a Sendable type or a value
    // read-only after init; workers share nothing mutable through it.
    let store: FlowStore
    let plan: QueryPlan
    let options: ExecutionOptions
    let pools = Pools()
    let partitions: [PartitionInfo]
    /// The work of order-free operators (aggregates, sorts), in partition and segment order:
    /// with fewer partitions than a few per worker, each is cut into parts of its segments, so
    /// seven days on two cores do not leave one core idle for the last day.
    let units: [ScanUnit]
    /// Truths of single-column conditions, per distinct value, shared by the workers.
    let conditionCache = ConditionCache()
    /// The joined inventory tables, hashed, in join order.
    let joins: [HashJoinTable]

    init(store: FlowStore, plan: QueryPlan, options: ExecutionOptions) throws {
        self.store = store
        self.plan = plan
        self.options = options
        let partitions = plan.keptPartitions
        self.partitions = partitions
        units = ScanUnit.plan(rows: partitions.map(\.rowCount), workers: options.parallelism)
        let pools = self.pools
        joins = try plan.join?.steps.map { try HashJoinTable($0, pools: pools) } ?? []
    }

    var cancellation: QueryCancellation { options.cancellation }

    // MARK: Scanning

    /// Scans one partition, or part `part` of `parts` of its segments: `body` gets, per
    /// segment, the rows that pass WHERE.
    func scan(_ partition: PartitionInfo, part: Int = 0, of parts: Int = 1, stop: StopFlag? = nil,
              _ body: (EvaluationContext) throws -> Void) throws {
        let day = partition.day
        let filter = plan.filter.map { $0.specialized(for: day) }
        // A condition that cannot hold on this day's rows (a folded partition condition).
        if filter.contains(where: { b in b.constant.map { $0.isNull || $0 == Value.int(0) } ?? false }) { return }
        let liveIndexes = filter.indices.filter { filter[$0].constant == nil }
        let live = liveIndexes.map { filter[$0] }
        // Conditions that read the day are cached per day; the others for the whole query.
        let dayBound = liveIndexes.map { plan.filter[$0].readsPartitionDay }
        // Conditions over one stored column are tested once per distinct stored value.
        let singleColumns: [String?] = live.map { conjunct in
            let columns = conjunct.columns
            return columns.count == 1 ? columns.first : nil
        }
        let path = store.partitionPath(for: partition.key)
        guard FileManager.default.fileExists(atPath: path) else {
            throw QueryError(.execution, "the \(partition.table.name) partition for \(day.isoText) is missing from \(store.partitionsURL(for: partition.table).path); run `flowq check`")
        }
        let reader = try PartitionReader(path: path)
        let token = cancellation.register(reader.database)
        defer { cancellation.unregister(token) }
        let columns = PartitionColumns(reader: reader, day: day, pools: pools)
        let all = try reader.segments(watermark: plan.fileWatermark, unfinished: plan.unfinishedFileIDs)
        let segments = all[all.count * part / parts ..< all.count * (part + 1) / parts]
        for segment in segments {
            try cancellation.check()
            if stop?.isStopped == true { return }
            guard ZonePredicates.mayMatch(plan.zonePredicates, segment, columns: reader.columns) else { continue }
            let context = EvaluationContext(pools: pools, day: day, count: segment.rows) { name, positions in
                try columns.decode(name, of: segment, at: positions)
            }
            var current = context
            var positions: [Int32]? = nil
            var empty = false
            for (index, (conjunct, single)) in zip(live, singleColumns).enumerated() {
                if let single, let found = try columns.rowsWhere(conjunct, readsOnly: single, of: segment, at: positions,
                                                                 cache: conditionCache,
                                                                 key: .init(condition: liveIndexes[index], day: dayBound[index] ? Int(day.dayNumber) : nil)) {
                    switch found {
                    case .all:
                        continue
                    case .none:
                        empty = true
                    case .rows(let kept):
                        positions = kept
                        current = try context.restricted(to: kept)
                    }
                    if empty { break }
                    continue
                }
                let truth = try Evaluator.evaluate(conjunct, current)
                let passing = Evaluator.trueRows(truth)
                if passing.count == current.count { continue }
                if passing.isEmpty { empty = true; break }
                let kept = positions.map { outer in passing.map { outer[Int($0)] } } ?? passing
                positions = kept
                current = try context.restricted(to: kept)
            }
            if empty || current.count == 0 { continue }
            if let join = plan.join {
                guard let joined = try self.join(current, join, stored: (columns, segment, positions)) else { continue }
                current = joined
            }
            try body(current)
        }
    }

    /// The flow rows of a batch joined with each inventory table in turn, then narrowed by the
    /// conditions over several tables; nil when no row is left.
    ///
    /// The first join keyed on a stored column looks up each distinct value of the segment's
    /// column once (`stored`: the segment and the flow rows' positions in it).
    func join(_ flows: EvaluationContext, _ join: JoinPlan,
              stored: (columns: PartitionColumns, segment: PartitionReader.Segment, positions: [Int32]?)) throws -> EvaluationContext? {
        var context = flows
        for (index, table) in joins.enumerated() {
            let step = table.step
            let keepUnmatched = step.kind == .left
            let keepAll = keepUnmatched && step.residual.isEmpty
            var pairs: JoinMatches
            if index == 0, let name = table.probesStoredColumn,
               let build = try stored.columns.joinRows(name, of: stored.segment, at: stored.positions, lookup: table.storedRows) {
                pairs = HashJoinTable.matches(build, matched: build.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }, keepUnmatched: keepAll)
            } else {
                let keys = try step.probeKeys.map { try Evaluator.evaluate($0, context) }
                pairs = table.probe(keys, pools: pools, count: context.count, keepUnmatched: keepAll)
            }
            var joined = try table.joined(context, pairs)
            if !step.residual.isEmpty {
                // Check the other ON conditions on each pair; a LEFT JOIN keeps a flow row
                // whose pairs all fail, with this table's columns NULL.
                var holds = [Bool](repeating: true, count: joined.count)
                for condition in step.residual {
                    let truth = try Evaluator.evaluate(condition, joined)
                    let values = truth.intValues ?? []
                    for row in 0..<joined.count where holds[row] && (truth.isNull(row) || values.isEmpty || values[row] == 0) { holds[row] = false }
                }
                var kept = JoinMatches(probe: [], build: [], isIdentity: false, hasMissing: false)
                var index = 0
                for row in 0..<Int32(context.count) {
                    var any = false
                    while index < pairs.count && pairs.probeRow(index) == row {
                        if holds[index] { kept.probe.append(row); kept.build.append(pairs.build[index]); any = true }
                        index += 1
                    }
                    if !any && keepUnmatched { kept.probe.append(row); kept.build.append(-1); kept.hasMissing = true }
                }
                pairs = kept
                joined = try table.joined(context, pairs)
            }
            if joined.count == 0 { return nil }
            context = joined
        }
        for condition in join.after {
            let passing = Evaluator.trueRows(try Evaluator.evaluate(condition, context))
            if passing.isEmpty { return nil }
            if passing.count < context.count { context = try context.restricted(to: passing) }
        }
        return context
    }

    /// Runs `work` for every scan unit on the worker threads; each worker gets its own state
    /// from `makeState` (returned in worker order), and unit index order is kept where `work`
    /// cares.
    func onWorkers<State>(_ makeState: () -> State, _ work: @escaping @Sendable (Int, inout State) throws -> Void) throws -> [State] {
        let count = min(options.parallelism, max(1, units.count))
        let next = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let group = DispatchGroup()
        let boxes = (0..<count).map { _ in StateBox(makeState()) }
        let stopReason = QueryCancellation.Reason.stopped("the query stopped: a partition failed")
        for (worker, box) in boxes.enumerated() {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < units.count, failure.withLock({ $0 == nil }) else { return }
                    do {
                        try work(index, &box.value)
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        if !cancellation.isCancelled { cancellation.cancel(stopReason) }
                        return
                    }
                }
            }
            thread.name = "flowq-query-\(worker)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        if let error = failure.withLock({ $0 }) {
            // A timeout or Ctrl-C interrupts every worker: say that, not the interrupt.
            if let stopped = cancellation.error, cancellation.reason != stopReason { throw stopped }
            throw error
        }
        return boxes.map(\.value)
    }

    // MARK: Aggregates

    func aggregate(_ aggregate: AggregatePlan, onRow: ([SQLiteValue]) throws -> Void) throws {
        let pools = self.pools
        let limit = options.memoryLimit
        let aggregators = try onWorkers({ AggregatorBox(Aggregator(plan: aggregate, pools: pools, memoryLimit: limit)) }) { [self] index, box in
            let unit = units[index]
            try scan(partitions[unit.partition], part: unit.part, of: unit.parts) { context in try box.aggregator.add(context) }
        }
        let merged = aggregators.first?.aggregator ?? Aggregator(plan: aggregate, pools: pools, memoryLimit: limit)
        for other in aggregators.dropFirst() { try merged.merge(other.aggregator) }
        let (keys, results) = merged.finish()
        let groups = merged.table.count
        let context = EvaluationContext(pools: pools, day: nil, count: groups, keys: keys, aggregates: results) { _, _ in nil }
        var selected = context
        if let having = aggregate.having {
            let passing = Evaluator.trueRows(try Evaluator.evaluate(having, context))
            selected = try context.restricted(to: passing)
        }
        let outputs = try aggregate.outputs.map { try Evaluator.evaluate($0, selected) }
        var order = Array(0..<selected.count)
        if !aggregate.order.isEmpty {
            let keys = try aggregate.order.map { try Evaluator.evaluate($0.expression, selected) }
            // With DISTINCT, rows dropped later must not count against the limit.
            let limit = aggregate.distinctOutputs ? nil : aggregate.limit.map { Int($0) }
            order = GroupOrdering(keys: keys, order: aggregate.order, pools: pools).ordered(count: selected.count, limit: limit)
        }
        var emitted = 0
        var seen = Set<[SQLiteValue]>()
        for row in order {
            if let limit = aggregate.limit, emitted >= limit { break }
            let values = zip(outputs, aggregate.outputs).map { $0.output(at: row, type: $1.type, form: $1.form, pools: pools) }
            if aggregate.distinctOutputs, !seen.insert(values).inserted { continue }
            try onRow(values)
            emitted += 1
            if emitted & 0xFFF == 0 { try cancellation.check() }
        }
    }

    // MARK: Rows

    /// Plain rows, partition by partition in day order, until the limit.
    func stream(_ outputs: [Bound], limit: Int64?, onRow: ([SQLiteValue]) throws -> Void) throws {
        var remaining = limit ?? .max
        guard remaining > 0 else { return }
        let pools = self.pools
        let chunks = partitions.map { _ in BatchQueue<RowChunk>(limit: 4) }
        let stop = StopFlag()
        let workers = Thread.detachedWorkers(count: min(options.parallelism, max(1, partitions.count)))
        let next = Atomic<Int>(0)
        let window = DispatchSemaphore(value: max(2, options.parallelism * 2))
        let group = DispatchGroup()
        for worker in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                while true {
                    window.wait()
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < partitions.count, !stop.isStopped else { return }
                    let channel = chunks[index]
                    do {
                        var produced: Int64 = 0
                        try scan(partitions[index], stop: stop) { context in
                            let vectors = try outputs.map { try Evaluator.evaluate($0, context) }
                            var rows: [[SQLiteValue]] = []
                            rows.reserveCapacity(context.count)
                            for row in 0..<context.count {
                                rows.append(zip(vectors, outputs).map { $0.output(at: row, type: $1.type, form: $1.form, pools: pools) })
                                produced += 1
                                if produced >= remainingLimit(limit) { break }
                            }
                            guard channel.put(.rows(rows)) else { throw ChunkClosed() }
                            if produced >= remainingLimit(limit) { throw ChunkClosed() }
                        }
                        channel.put(.done)
                    } catch is ChunkClosed {
                        channel.put(.done)
                    } catch {
                        channel.put(.failed(error))
                    }
                }
            }
            thread.name = "flowq-query-\(worker)"
            thread.stackSize = 8 << 20
            thread.start()
        }
        defer {
            stop.stop()
            for channel in chunks { channel.close() }
            for _ in 0..<workers * 2 + partitions.count { window.signal() }
            group.wait()
        }
        for channel in chunks where remaining > 0 {
            reading: while let chunk = channel.take() {
                switch chunk {
                case .rows(let rows):
                    for row in rows where remaining > 0 {
                        try onRow(row)
                        remaining -= 1
                    }
                    try cancellation.check()
                    if remaining <= 0 { break reading }
                case .done: break reading
                case .failed(let error): throw error
                }
            }
            window.signal()
        }
    }

    private func remainingLimit(_ limit: Int64?) -> Int64 { limit ?? .max }

    /// Rows in ORDER BY order: the top rows per worker when there is a limit, else every row
    /// (kept in memory up to a budget, then sorted by SQLite in a temporary file).
    func sorted(_ outputs: [Bound], order: [SortKey], limit: Int64?, onRow: ([SQLiteValue]) throws -> Void) throws {
        let pools = self.pools
        let keep = limit.map { Int($0) }
        let buffers = try onWorkers({ SortBuffer(order: order, limit: keep) }) { [self] index, buffer in
            var sequence = 0
            let unit = units[index]
            try scan(partitions[unit.partition], part: unit.part, of: unit.parts) { context in
                let vectors = try outputs.map { try Evaluator.evaluate($0, context) }
                let keys = try order.map { try Evaluator.evaluate($0.expression, context) }
                for row in 0..<context.count {
                    let values = zip(vectors, outputs).map { $0.output(at: row, type: $1.type, form: $1.form, pools: pools) }
                    let sortValues = zip(keys, order).map { SortValues.value($0, row, $1.expression, pools) }
                    try buffer.add(values, keys: sortValues, sequence: (index, sequence))
                    sequence += 1
                }
            }
        }
        let merged = buffers.first ?? SortBuffer(order: order, limit: keep)
        for other in buffers.dropFirst() { try merged.absorb(other) }
        try merged.finish(cancellation: cancellation, onRow: onRow)
    }
}

/// A piece of a query's scan: part `part` of `parts` of partition `partition`'s segments.
struct ScanUnit: Sendable {
    let partition: Int
    let part: Int
    let parts: Int

    /// What opening a unit costs, in rows scanned (the partition's segment list and zone
    /// maps, read again for each part).
    static let overheadRows: Int64 = 100_000

    /// The units for partitions of `rows` records on `workers` threads: every partition cut
    /// into the same number of parts (1 to 8), the number that gives the shortest run when
    /// each worker takes the next unit. Four equal days on two workers stay whole; seven are
    /// halved, so no worker scans the last day alone.
    static func plan(rows: [Int64], workers: Int) -> [ScanUnit] {
        var best = (parts: 1, makespan: Int64.max)
        if workers > 1 {
            for parts in 1...8 {
                var loads = [Int64](repeating: 0, count: workers)
                for count in rows {
                    let cost = count / Int64(parts) + overheadRows
                    for _ in 0..<parts {
                        let least = loads.indices.min { loads[$0] < loads[$1] }!
                        loads[least] += cost
                    }
                }
                let makespan = loads.max()!
                if makespan < best.makespan { best = (parts, makespan) }
            }
        }
        return rows.indices.flatMap { index in (0..<best.parts).map { ScanUnit(partition: index, part: $0, parts: best.parts) } }
    }
}

/// What a worker sends the merge of a streamed query.
enum RowChunk: @unchecked Sendable {
    // `@unchecked Sendable`: `any Error` travels once, from the worker that made it.
    case rows([[SQLiteValue]])
    case done
    case failed(any Error)
}

/// Thrown inside a scan to stop it early (the merge has what it needs).
struct ChunkClosed: Error {}

/// A worker's state, handed between the worker thread and the caller.
final class StateBox<State>: @unchecked Sendable {
    // `@unchecked Sendable`: the worker owns `value` until its thread ends; the caller reads
    // it only after waiting for all workers.
    var value: State
    init(_ value: State) { self.value = value }
}

/// An aggregator handed to a worker.
final class AggregatorBox: @unchecked Sendable {
    // `@unchecked Sendable`: used by one worker at a time, then by the caller after the join.
    let aggregator: Aggregator
    init(_ aggregator: Aggregator) { self.aggregator = aggregator }
}

/// Tells workers to stop early (a streamed query has its rows).
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isStopped: Bool { flag.load(ordering: .relaxed) }
    func stop() { flag.store(true, ordering: .relaxed) }
}

extension Thread {
    /// The number of worker threads to use.
    static func detachedWorkers(count: Int) -> Int { max(1, count) }
}
