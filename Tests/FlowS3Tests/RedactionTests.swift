import AsyncHTTPClient
import FlowS3TestSupport
import Foundation
import Testing

@testable import FlowS3

/// Secrets never show up in descriptions, dumps or error messages.
@Suite struct RedactionTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let token = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN"
    static let credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: secret, sessionToken: token, source: "test")

    @Test func descriptionsRedact() {
        let texts = [
            Self.credentials.description,
            Self.credentials.debugDescription,
            "\(Self.credentials)",
            String(reflecting: Self.credentials),
            { var out = ""; dump(Self.credentials, to: &out); return out }(),
            "\([Self.credentials])",
            "\(Optional(Self.credentials) as Any)",
        ]
        for text in texts {
            #expect(!text.contains(Self.secret), "secret leaked in: \(text)")
            #expect(!text.contains(Self.token), "token leaked in: \(text)")
            #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"), "full key id in: \(text)")
        }
        #expect(Self.credentials.description.contains("AKIA…"))
        #expect(Self.credentials.description.contains("<redacted>"))
    }

    @Test func chainDoesNotPrintItsEnvironment() async throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = CredentialChain(
            environment: ["AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret,
                          "AWS_SESSION_TOKEN": Self.token],
            homeDirectory: "/nonexistent", httpClient: http)
        var dumped = ""
        dump(chain, to: &dumped)
        let provider = StaticCredentialProvider(try await chain.credentials())
        dump(provider, to: &dumped)
        try await http.shutdown()
        for text in [dumped, "\(chain)", String(reflecting: chain), "\(provider)"] {
            #expect(!text.contains(Self.secret), "secret leaked in: \(text)")
            #expect(!text.contains(Self.token), "token leaked in: \(text)")
        }
    }

    @Test func sharedConfigDoesNotPrintKeys() throws {
        let home = try makeTempDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        try "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = \(Self.secret)\n"
            .write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8)
        let shared = try AWSSharedConfig(environment: [:], homeDirectory: home.path)
        var out = "\(shared) \(String(reflecting: shared))"
        dump(shared, to: &out)
        #expect(out.contains("aws_secret_access_key"))
        #expect(!out.contains(Self.secret))
    }

    @Test func credentialFailuresNameTheObject() async throws {
        // An S3 request whose credentials cannot be found fails naming the object, not just "no credentials".
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let chain = CredentialChain(
            environment: ["AWS_EC2_METADATA_DISABLED": "true"], homeDirectory: "/nonexistent", httpClient: http)
        let s3 = S3Client(httpClient: http, credentials: chain,
                          configuration: S3ClientConfiguration(region: "us-east-1", endpoint: try S3Endpoint(url: "http://127.0.0.1:9")))
        let error = await #expect(throws: S3Error.self) {
            _ = try await readAllOnThread(s3.openObject(bucket: "b", key: "dir/k.log"))
        }
        try await http.shutdown()
        #expect(error?.localizedDescription.contains("s3://b/dir/k.log") == true)
        #expect(error?.localizedDescription.contains("No AWS credentials found") == true)
    }

    @Test func signerAndErrorsDoNotCarrySecrets() {
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(method: "GET", path: "/k", headers: [("Host", "h")],
                                 payloadHash: SigV4Signer.emptyPayloadHash, date: Date())
        #expect(!signed.authorization.contains(Self.secret))
        #expect(!signed.canonicalRequest.contains(Self.secret))
        var out = "\(signer) \(String(reflecting: signer))"
        dump(signer, to: &out)
        #expect(!out.contains(Self.secret))
        #expect(!out.contains(Self.token))

        let errors: [any Error] = [
            S3Error(operation: "GetObject", location: "s3://b/k",
                    reason: .status(403, S3ErrorBody(code: "AccessDenied", message: "Access Denied")), attempts: 1),
            CredentialError.noCredentials(searched: ["environment variables: not set"]),
            CredentialError.partialCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY"),
        ]
        for error in errors {
            let text = error.localizedDescription + String(describing: error)
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
    }
}
