import Dispatch
import FlowQuery
import Foundation

/// Turns Ctrl-C (SIGINT) into a clean cancellation of the running query while it lives.
final class InterruptSignal {
    private let source: DispatchSourceSignal

    init(cancellation: QueryCancellation) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            cancellation.cancel(.interrupted)
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
