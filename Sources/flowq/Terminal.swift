import FlowModel
import FlowQuery
import Foundation
import Synchronization

/// Where output goes: results on stdout, messages on stderr, written with `write(2)` so that a
/// failure is seen (a full disk under a log file, `/dev/full`) instead of crashing or passing
/// silently.
enum Terminal {
    /// True when standard output is a terminal (tables for people, CSV for pipes).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// True when standard error is a terminal.
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Colour only on a terminal, and never when NO_COLOR is set (no-color.org).
    static var colorEnabled: Bool {
        stdoutIsTerminal && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    }

    /// The terminal's width in columns, when standard output is one.
    static var width: Int? {
        guard stdoutIsTerminal else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// How tables are drawn here: fitted to the terminal, coloured when allowed.
    static var tableStyle: ResultWriter.TableStyle {
        ResultWriter.TableStyle(maximumWidth: width, color: colorEnabled, groupDigits: true)
    }

    /// The first failed write to each stream, for the exit status (see `FlowqCommand.main`).
    private static let failures = Mutex<(stdout: OutputError?, stderr: OutputError?)>((nil, nil))

    /// A failed write to standard output, if one happened.
    static var outputFailure: OutputError? { failures.withLock { $0.stdout } }
    /// A failed write to standard error, if one happened.
    static var messageFailure: OutputError? { failures.withLock { $0.stderr } }

    /// Writes a line to standard error, with control characters escaped (messages quote file
    /// names and header fields, which may hold terminal escape sequences).
    ///
    /// A failure does not stop the command (an ingest's work is already done and stays done);
    /// it is remembered and makes the exit status 1.
    static func message(_ text: String) {
        let line = DisplayText.escapedKeepingLines(text) + "\n"
        if let error = write(line, to: STDERR_FILENO, name: "standard error") {
            failures.withLock { if $0.stderr == nil { $0.stderr = error } }
        }
    }

    /// Writes raw text (a progress line's `\r`) to standard error; failures as for `message`.
    static func progress(_ text: String) {
        if let error = write(text, to: STDERR_FILENO, name: "standard error") {
            failures.withLock { if $0.stderr == nil { $0.stderr = error } }
        }
    }

    /// Writes text to standard output; throws when it cannot be written.
    static func output(_ text: String) throws(OutputError) {
        if let error = write(text, to: STDOUT_FILENO, name: "standard output") {
            failures.withLock { if $0.stdout == nil { $0.stdout = error } }
            throw error
        }
    }

    /// Writes all of `text` to `descriptor`; the error when it cannot.
    static func write(_ text: String, to descriptor: Int32, name: String) -> OutputError? {
        var text = text
        return text.withUTF8 { bytes in write(UnsafeRawBufferPointer(bytes), to: descriptor, name: name) }
    }

    /// Writes all of `bytes` to `descriptor`, retrying on EINTR; the error when it cannot.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, name: String) -> OutputError? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return OutputError(stream: name, errno: errno)
            }
            if written == 0 { return OutputError(stream: name, errno: EIO) }
            offset += written
        }
        return nil
    }
}

/// Output that could not be written: which stream and the system's reason.
struct OutputError: Error, LocalizedError, Sendable {
    /// `standard output`, `standard error` or a file path.
    let stream: String
    /// The `errno` of the failed `write(2)`.
    let errno: Int32

    /// True when the reader went away (`| head`): not worth a message.
    var isBrokenPipe: Bool { errno == EPIPE }

    var errorDescription: String? {
        "cannot write to \(stream): \(String(cString: strerror(errno)))"
    }
}
