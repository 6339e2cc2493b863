import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Fetches the instance role's credentials from the EC2 instance metadata service, IMDSv2 style.
///
/// A session token is first obtained with `PUT /latest/api/token`, then sent on
/// `GET /latest/meta-data/iam/security-credentials/` (the role name) and on
/// `GET /latest/meta-data/iam/security-credentials/<role>` (the credentials JSON).
/// Every request has a short deadline, so machines without the service fail fast.
struct InstanceMetadataCredentials: Sendable {
    /// The default address of the service.
    static let defaultEndpoint = "http://169.254.169.254"

    /// Base URL of the service, without a trailing slash.
    let endpoint: String
    /// The shared HTTP client.
    let httpClient: HTTPClient
    /// Deadline of each of the three requests.
    let timeout: TimeAmount

    /// The role credentials document.
    private struct RoleCredentials: Decodable {
        let Code: String?
        let AccessKeyId: String?
        let SecretAccessKey: String?
        let Token: String?
        let Expiration: String?
    }

    /// Creates a client for `endpoint` (`AWS_EC2_METADATA_SERVICE_ENDPOINT` or the default).
    init(endpoint: String?, httpClient: HTTPClient, timeout: TimeAmount) {
        var base = endpoint?.trimmingCharacters(in: .whitespaces) ?? ""
        if base.isEmpty { base = Self.defaultEndpoint }
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Runs the three requests and returns the role's credentials.
    func fetch() async throws -> AWSCredentials {
        var tokenRequest = HTTPClientRequest(url: endpoint + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        let token = try await text(of: tokenRequest, what: "session token")

        let rolesURL = endpoint + "/latest/meta-data/iam/security-credentials/"
        let roles = try await text(of: authorized(rolesURL, token: token), what: "role list")
        guard let role = roles.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
            throw failure("the instance has no IAM role attached", underlying: nil)
        }
        let body = try await text(of: authorized(rolesURL + role, token: token), what: "credentials of role \(role)")
        let decoded: RoleCredentials
        do {
            decoded = try JSONDecoder().decode(RoleCredentials.self, from: Data(body.utf8))
        } catch {
            throw failure("the credentials of role \(role) are not the expected JSON", underlying: error)
        }
        if let code = decoded.Code, code != "Success" {
            throw failure("the role \(role) reported Code \(code)", underlying: nil)
        }
        guard let keyId = decoded.AccessKeyId, let secret = decoded.SecretAccessKey else {
            throw failure("the credentials of role \(role) lack AccessKeyId or SecretAccessKey", underlying: nil)
        }
        return AWSCredentials(
            accessKeyId: keyId,
            secretAccessKey: secret,
            sessionToken: decoded.Token,
            expiration: decoded.Expiration.flatMap(ISO8601.parse),
            source: "EC2 instance metadata (role \(role))"
        )
    }

    private func authorized(_ url: String, token: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
        return request
    }

    /// Executes `request` and returns its body as text, failing on any status but 200.
    private func text(of request: HTTPClientRequest, what: String) async throws -> String {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: timeout)
        } catch {
            throw failure("no answer for the \(what) within \(timeout.nanoseconds / 1_000_000) ms", underlying: error)
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw failure("the \(what) could not be read", underlying: error)
        }
        guard response.status == .ok else {
            throw failure("HTTP \(response.status.code) for the \(what)", underlying: nil)
        }
        return String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func failure(_ reason: String, underlying: (any Error)?) -> CredentialError {
        .instanceMetadataFailed(endpoint: endpoint, reason: reason, underlying: underlying)
    }
}
