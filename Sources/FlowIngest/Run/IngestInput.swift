/// One thing an ingest reads: a local file (or `-`, standard input), or an object of a remote
/// store such as S3.
///
/// Local files are `stat`ed for their size and modification time. A remote object brings its
/// size and a version stamp from its listing instead, so that a re-run recognises an object
/// already stored, by the same quick path as an unchanged file, without downloading it.
public struct IngestInput: Sendable {
    /// The name it has in the catalog and in messages: a path, or `s3://bucket/key`.
    public var path: String
    /// Set for remote objects.
    public var remote: Remote?

    /// What a remote object's listing says, and how to read it.
    public struct Remote: Sendable {
        /// Its size in bytes.
        public var size: Int64
        /// A number that changes when the object changes (a hash of its ETag).
        public var version: Int64
        /// Starts reading the object. Called on the coordinating thread when the object is
        /// handed to a reader, so its download can begin while earlier files are parsed.
        public var open: @Sendable () throws -> any ByteSource

        /// Describes a remote object.
        public init(size: Int64, version: Int64, open: @escaping @Sendable () throws -> any ByteSource) {
            self.size = size
            self.version = version
            self.open = open
        }
    }

    /// A local file, or `-` for standard input.
    public init(path: String) {
        self.path = path
    }

    /// A remote object named `path`.
    public init(path: String, remote: Remote) {
        self.path = path
        self.remote = remote
    }
}

/// A failure that may pass without the input changing (a network error, a throttled store), so
/// a later run reads the input again rather than trusting the rejection.
public protocol TransientFailure: Error {
    /// True when trying again later may succeed.
    var isTransient: Bool { get }
}

/// A source opened on the coordinating thread and handed to one reading thread.
///
/// `@unchecked Sendable`: the source is created by `IngestRun.begin` and then used only by the
/// one reader that takes the job, never by two threads at once.
final class SourceHandoff: @unchecked Sendable {
    let source: any ByteSource
    init(_ source: any ByteSource) { self.source = source }
}
