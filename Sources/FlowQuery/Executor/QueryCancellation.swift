import FlowSQLite
import Foundation
import Synchronization

/// Stops a running query from any thread (Ctrl-C, a timeout): every SQLite connection the
/// query has open is interrupted, connections opened later stop at their first step, and the
/// query fails with the reason.
///
/// Two mechanisms, because SQLite forgets `sqlite3_interrupt` when no statement is running:
/// the interrupt stops what runs now, and a progress handler on every connection polls the
/// flag, stopping whatever starts later.
public final class QueryCancellation: Sendable {
    /// Why a query was stopped.
    public enum Reason: Sendable, Equatable {
        /// `--timeout` passed.
        case timeout(seconds: Double)
        /// The user pressed Ctrl-C.
        case interrupted
        /// The program stopped it, for the reason given.
        case stopped(String)

        /// What the user reads.
        public var message: String {
            switch self {
            case .timeout(let seconds): return "the query ran longer than its --timeout of \(Self.seconds(seconds))"
            case .interrupted: return "the query was cancelled (Ctrl-C)"
            case .stopped(let why): return why
            }
        }

        private static func seconds(_ value: Double) -> String {
            value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
        }
    }

    private let cancelled = Atomic<Bool>(false)
    private let state = Mutex<(reason: Reason?, handles: [Int: InterruptHandle], next: Int)>((nil, [:], 0))

    /// A cancellation that has not fired.
    public init() {}

    /// True once the query has been told to stop (cheap: polled from SQLite's progress handler).
    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Why the query was stopped, if it was.
    public var reason: Reason? { state.withLock { $0.reason } }

    /// The error a stopped query fails with.
    var error: QueryError? {
        guard let reason else { return nil }
        return QueryError(reason == .interrupted ? .interrupted : .execution, reason.message)
    }

    /// Stops everything the query runs, now and from now on (the first reason wins).
    public func cancel(_ reason: Reason) {
        let handles = state.withLock { state -> [InterruptHandle] in
            if state.reason == nil { state.reason = reason }
            return Array(state.handles.values)
        }
        cancelled.store(true, ordering: .releasing)
        for handle in handles { handle.interrupt() }
    }

    /// Watches `database` until the returned token is given back to `unregister`.
    func register(_ database: Database) -> Int {
        database.setProgressHandler(every: 1000) { [self] in isCancelled }
        let token = state.withLock { state -> Int in
            state.next += 1
            state.handles[state.next] = database.interruptHandle
            return state.next
        }
        if isCancelled { database.interruptHandle.interrupt() }
        return token
    }

    /// Stops watching a connection (before it closes).
    func unregister(_ token: Int) {
        _ = state.withLock { $0.handles.removeValue(forKey: token) }
    }

    /// Throws the query's error when it has been stopped (for loops outside SQLite).
    func check() throws {
        if isCancelled, let error { throw error }
    }

    /// Cancels with `.timeout` after `seconds`, from a timer thread that no query work can
    /// starve; cancel the returned timer when the query ends first.
    func startTimer(seconds: Double) -> DispatchSourceTimer {
        let timer = DispatchSource.makeTimerSource(queue: .global(qos: .userInitiated))
        timer.schedule(deadline: .now() + seconds)
        timer.setEventHandler { [self] in cancel(.timeout(seconds: seconds)) }
        timer.resume()
        return timer
    }
}
