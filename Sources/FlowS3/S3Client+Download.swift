import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    /// What one GET attempt achieved.
    private enum AttemptOutcome {
        /// Every byte of the object has been delivered.
        case complete
        /// A transient failure; retry from the current offset.
        case retry(S3Error.Reason)
    }

    /// The state of one object's download, carried across attempts.
    private struct Progress {
        var offset: Int64 = 0
        var total: Int64?
        var etag: String?
    }

    /// Downloads `bucket`/`key` into `buffer`, resuming after transient failures, then finishes
    /// or fails the buffer. Runs as the stream's background task.
    func download(bucket: String, key: String, expectedSize: Int64?, etag: String?, into buffer: StreamBuffer) async {
        let location = "s3://\(bucket)/\(key)"
        var progress = Progress(offset: 0, total: expectedSize, etag: etag)
        var attempts = 0
        var failuresInARow = 0
        while true {
            attempts += 1
            let before = progress.offset
            let outcome: AttemptOutcome
            do {
                outcome = try await attempt(bucket: bucket, key: key, location: location, progress: &progress, buffer: buffer, attempts: attempts)
            } catch is StreamBuffer.Closed {
                return  // The reader closed the stream; nobody wants the rest.
            } catch is CancellationError {
                return
            } catch {
                buffer.fail(error)
                return
            }
            switch outcome {
            case .complete:
                buffer.finish()
                return
            case .retry(let reason):
                // A drop after fresh bytes is a new problem, not the same one again.
                failuresInARow = progress.offset > before ? 1 : failuresInARow + 1
                guard failuresInARow <= configuration.maxRetries, attempts < configuration.maxAttemptsPerObject,
                    Self.isRetryable(reason)
                else {
                    buffer.fail(S3Error(
                        operation: "GetObject", location: location, reason: reason, attempts: attempts,
                        bytesReceived: progress.offset, objectSize: progress.total))
                    return
                }
                do {
                    try await backoff(failures: failuresInARow)
                } catch {
                    return  // Cancelled while waiting: the stream was closed.
                }
            }
        }
    }

    /// One GET from `progress.offset`; delivers what arrives and reports whether the object is done.
    private func attempt(
        bucket: String, key: String, location: String, progress: inout Progress,
        buffer: StreamBuffer, attempts: Int
    ) async throws -> AttemptOutcome {
        var headers: [(String, String)] = []
        if progress.offset > 0 {
            headers.append(("Range", "bytes=\(progress.offset)-"))
            if let etag = progress.etag { headers.append(("If-Match", etag)) }
        }
        let response: HTTPClientResponse
        do {
            let request = try await makeRequest(method: .GET, bucket: bucket, key: key, query: [], headers: headers)
            response = try await httpClient.execute(request, timeout: configuration.responseHeadTimeout)
        } catch let error as CredentialError {
            throw S3Error(operation: "GetObject", location: location, reason: .credentials(error), attempts: attempts)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .retry(.transport(error))
        }
        let status = Int(response.status.code)
        func failure(_ reason: S3Error.Reason) -> S3Error {
            S3Error(operation: "GetObject", location: location, reason: reason, attempts: attempts)
        }

        // Work out which byte the body starts at and check the object's size.
        var skip: Int64 = 0
        switch status {
        case 200:
            let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
            if let length, let total = progress.total, length != total {
                throw failure(.sizeMismatch(expected: total, actual: length, detail: "S3 sent Content-Length"))
            }
            progress.total = progress.total ?? length
            // A server that ignored our Range sends the whole object again: skip what we have.
            skip = progress.offset
        case 206:
            guard let range = response.headers.first(name: "Content-Range").flatMap(Self.parseContentRange),
                range.start == progress.offset
            else {
                throw failure(.malformedResponse(S3ResponseParseError(
                    what: "GetObject response", detail: "206 without a Content-Range starting at byte \(progress.offset)")))
            }
            if let total = progress.total, let rangeTotal = range.total, rangeTotal != total {
                throw failure(.sizeMismatch(expected: total, actual: rangeTotal, detail: "S3's Content-Range gives a size of"))
            }
            progress.total = progress.total ?? range.total
        case 412:
            throw failure(.objectChanged(etag: progress.etag ?? "?"))
        default:
            let body = try? await response.body.collect(upTo: 1 << 20)
            let reason = S3Error.Reason.status(status, body.flatMap { S3ErrorBody.parse(String(buffer: $0)) })
            if Self.isRetryable(reason) { return .retry(reason) }
            throw failure(reason)
        }
        if progress.etag == nil { progress.etag = response.headers.first(name: "ETag") }

        do {
            for try await var chunk in response.body {
                if skip > 0 {
                    let dropped = min(Int64(chunk.readableBytes), skip)
                    chunk.moveReaderIndex(forwardBy: Int(dropped))
                    skip -= dropped
                }
                guard chunk.readableBytes > 0 else { continue }
                if let total = progress.total, progress.offset + Int64(chunk.readableBytes) > total {
                    throw failure(.sizeMismatch(
                        expected: total, actual: progress.offset + Int64(chunk.readableBytes), detail: "received at least"))
                }
                try await buffer.write(chunk)
                progress.offset += Int64(chunk.readableBytes)
            }
        } catch let error as S3Error {
            throw error
        } catch is StreamBuffer.Closed {
            throw StreamBuffer.Closed()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            return .retry(.transport(error))
        }
        guard let total = progress.total else { return .complete }  // No size known: trust the end of the body.
        if progress.offset == total { return .complete }
        return .retry(.truncated(received: progress.offset, expected: total))
    }

    /// Parses `bytes START-END/TOTAL` (TOTAL may be `*`).
    static func parseContentRange(_ text: String) -> (start: Int64, end: Int64, total: Int64?)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("bytes ") else { return nil }
        let spec = trimmed.dropFirst(6)
        let parts = spec.split(separator: "/", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let bounds = parts[0].split(separator: "-", maxSplits: 1)
        guard bounds.count == 2, let start = Int64(bounds[0]), let end = Int64(bounds[1]) else { return nil }
        return (start, end, Int64(parts[1]))
    }
}
