/// A producer of bytes read in chunks, front to back: an open file, an inflater, the body of an
/// S3 object, a transformation of another source.
///
/// Readers pull (`read(into:)`) rather than being pushed to, so one reading thread keeps the
/// memory fixed: it asks for as much as its buffer holds, and a slow source just returns less.
public protocol ByteSource: AnyObject {
    /// Fills the front of `buffer` with the next bytes; returns how many, 0 only at the end.
    ///
    /// Errors keep their own type (a `GzipError`, an S3 failure), so the caller can tell the
    /// user what failed and decide whether a later run may succeed.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}
