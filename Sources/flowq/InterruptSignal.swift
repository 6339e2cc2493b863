import Dispatch
import FlowQuery
import Foundation

/// Turns Ctrl-C (SIGINT) into a clean cancellation of the running query while it lives.
final class InterruptSignal {
    /// The message a cancelled query fails with.
    static let reason = "the query was cancelled (Ctrl-C)"

    private let source: DispatchSourceSignal

    init(cancellation: QueryCancellation) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            cancellation.cancel(reason: InterruptSignal.reason)
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
