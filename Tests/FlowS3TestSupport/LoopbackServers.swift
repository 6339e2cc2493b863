import Foundation

// Loopback helper servers for the S3 tests (moto's S3 server, the fault proxy, the IMDS stub),
// shared by the FlowS3 and FlowS3Ingest test targets. A library target under Tests/ that no
// product exposes; it imports nothing of flowq's.

/// Paths of the package, found from this file so tests work from any working directory.
public enum PackagePaths {
    /// The package root (the folder holding `Package.swift`).
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// A helper script in `scripts/`.
    public static func script(_ name: String) -> String { root.appendingPathComponent("scripts/\(name)").path }
}

/// The Python the S3 tests use: `$FLOWQ_TEST_VENV/bin/python`, else the package's `.venv`
/// (which `.ci/run` makes), else
/// `python3` on PATH; moto is usable only if that Python can import `moto.server`.
public enum TestPython {
    /// The default venv, used when FLOWQ_TEST_VENV is not set.
    public static let defaultVenv = PackagePaths.root.appendingPathComponent(".venv").path

    /// The interpreter to run helper scripts with.
    public static let executable: String = {
        let env = ProcessInfo.processInfo.environment
        let venv = env["FLOWQ_TEST_VENV"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultVenv
        let candidate = venv + "/bin/python"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "/usr/bin/python3"
    }()

    /// Why moto cannot be used, or `nil` when it can.
    public static let motoUnavailableReason: String? = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-c", "import moto.server, flask, flask_cors"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return "cannot run \(executable): \(error)"
        }
        if process.terminationStatus != 0 {
            return "\(executable) cannot import moto.server; run "
                + "`python3 -m venv \(defaultVenv) && \(defaultVenv)/bin/pip install 'moto[server]'` "
                + "or point FLOWQ_TEST_VENV at a venv that has it"
        }
        return nil
    }()

    /// Whether the moto-backed tests can run; prints why not (once) when they cannot.
    public static let motoAvailable: Bool = {
        if let reason = motoUnavailableReason {
            print("FlowS3 S3 tests skipped: \(reason)")
            return false
        }
        return true
    }()
}

/// A helper server process (moto, the fault proxy, the IMDS stub) on a loopback port.
///
/// The script prints `LISTENING <port>` and exits when its stdin closes, so it also ends if the
/// test process dies. `@unchecked Sendable`: `process` and `stdin` are set once in `init`; `stop`
/// is idempotent and guarded by `lock`.
public final class HelperServer: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let process: Process
    private let stdin: Pipe
    private let lock = NSLock()
    private var stopped = false

    /// Starts `python script args…` and waits for its `LISTENING` line.
    public init(script: String, arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPython.executable)
        process.arguments = ["-u", script] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        var line = [UInt8]()
        let handle = stdout.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == UInt8(ascii: "\n") {
                if String(decoding: line, as: UTF8.self).hasPrefix("LISTENING ") { break }
                line = []
            } else {
                line.append(first)
            }
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("LISTENING "), let port = Int(text.dropFirst(10)) else {
            process.terminate()
            throw HelperError(message: "\(script) did not start (printed '\(text)')")
        }
        self.port = port
        self.process = process
        self.stdin = stdin
    }

    /// `http://127.0.0.1:port`.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Closes the script's stdin (it exits), terminates it if needed and waits.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A helper server that did not start.
public struct HelperError: Error, CustomStringConvertible {
    /// What happened.
    public let message: String
    /// The message.
    public var description: String { message }
    /// An error saying `message`.
    public init(message: String) { self.message = message }
}

/// The moto server shared by all S3 tests of this process, started on first use.
public enum SharedMoto {
    /// The running server (or why it could not start).
    public static let server: Result<HelperServer, any Error> = {
        Result {
            let server = try HelperServer(script: PackagePaths.script("s3-test-server.py"))
            atexit { SharedMoto.stopAtExit() }
            return server
        }
    }()

    static func stopAtExit() {
        if case .success(let server) = server { server.stop() }
    }

    /// The running server, or a thrown error.
    public static func get() throws -> HelperServer { try server.get() }
}

