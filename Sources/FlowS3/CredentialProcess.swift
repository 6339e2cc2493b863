import Foundation

/// Runs a profile's `credential_process` command and reads the credentials it prints.
///
/// The command line is run by `/bin/sh -c`, with the caller's environment (not the process's), and
/// must print the JSON documented for the AWS CLI:
/// `{"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …, "Expiration": …}`.
/// A non-zero exit is an error carrying the command's stderr; its stdout, which may hold secrets,
/// is never put into an error.
struct CredentialProcess: Sendable {
    /// The command line from the profile.
    let command: String
    /// The profile it came from, for messages.
    let profile: String
    /// The environment the command runs with.
    let environment: [String: String]

    /// The JSON document a credential process prints.
    private struct Output: Decodable {
        let Version: Int
        let AccessKeyId: String?
        let SecretAccessKey: String?
        let SessionToken: String?
        let Expiration: String?
    }

    /// Runs the command on a dispatch thread (it blocks until the command exits) and parses it.
    func run() async throws -> AWSCredentials {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.runBlocking() })
            }
        }
    }

    /// Runs the command and parses its output, blocking the calling thread.
    func runBlocking() throws -> AWSCredentials {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let stdout = Pipe()
        // stderr goes to a file so a chatty command cannot fill a pipe while we read stdout.
        let stderrURL = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowq-credproc-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: stderrURL) }
        let stderrHandle: FileHandle
        do {
            stderrHandle = try FileHandle(forWritingTo: stderrURL)
        } catch {
            throw failure("cannot create a file for its stderr", underlying: error)
        }
        defer { try? stderrHandle.close() }
        process.standardOutput = stdout
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw failure("cannot start /bin/sh", underlying: error)
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let errText = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
            let trimmed = errText.trimmingCharacters(in: .whitespacesAndNewlines)
            let detail = trimmed.isEmpty ? "no output on stderr" : "stderr: \(trimmed.prefix(2000))"
            throw failure("exited with status \(process.terminationStatus); \(detail)", underlying: nil)
        }
        return try parse(output)
    }

    /// Decodes the command's stdout into credentials.
    func parse(_ output: Data) throws -> AWSCredentials {
        let decoded: Output
        do {
            decoded = try JSONDecoder().decode(Output.self, from: output)
        } catch {
            // The decoding error describes structure only (paths and types), not the values.
            throw failure("its output is not the expected JSON document", underlying: error)
        }
        guard decoded.Version == 1 else {
            throw failure("its output has Version \(decoded.Version); only 1 is supported", underlying: nil)
        }
        guard let keyId = decoded.AccessKeyId, !keyId.isEmpty else {
            throw failure("its output has no AccessKeyId", underlying: nil)
        }
        guard let secret = decoded.SecretAccessKey, !secret.isEmpty else {
            throw failure("its output has no SecretAccessKey", underlying: nil)
        }
        var expiration: Date?
        if let text = decoded.Expiration {
            guard let date = ISO8601.parse(text) else {
                throw failure("its Expiration '\(text)' is not an ISO 8601 time", underlying: nil)
            }
            expiration = date
        }
        return AWSCredentials(
            accessKeyId: keyId,
            secretAccessKey: secret,
            sessionToken: decoded.SessionToken,
            expiration: expiration,
            source: "credential_process (profile \(profile))"
        )
    }

    private func failure(_ reason: String, underlying: (any Error)?) -> CredentialError {
        .credentialProcessFailed(profile: profile, command: command, reason: reason, underlying: underlying)
    }
}
