import FlowInventory
import Synchronization

/// AWS's address ranges for `aws_service()` and `aws_region()`: loaded from the store's
/// inventory the first time a query names one of them, then kept for the query.
public final class AddressRangeSource: Sendable {
    private let load: @Sendable () throws -> AWSIPRanges?
    private let loaded = Mutex<Result<AWSIPRanges?, any Error>?>(nil)

    /// A source that calls `load` once, when first asked; `load` returns nil when the store
    /// has no `ip-ranges.json` snapshot.
    public init(load: @escaping @Sendable () throws -> AWSIPRanges?) {
        self.load = load
    }

    /// The ranges, nil when there are none.
    func ranges() throws -> AWSIPRanges? {
        try loaded.withLock { state in
            if let state { return try state.get() }
            let result = Result { try load() }
            state = result
            return try result.get()
        }
    }
}
