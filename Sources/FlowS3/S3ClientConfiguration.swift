import Foundation
import NIOCore

/// How the S3 client connects, retries and buffers.
public struct S3ClientConfiguration: Sendable {
    /// The signing region.
    public var region: String
    /// Where requests go.
    public var endpoint: S3Endpoint
    /// Failed attempts in a row (with no bytes received in between) before an operation gives up.
    public var maxRetries: Int = 5
    /// Requests for one object in all, however much each made progress: a safety net against a
    /// server that keeps cutting the body off after a few bytes.
    public var maxAttemptsPerObject: Int = 100
    /// Delay before the first retry; doubled for each further one, with full jitter.
    public var baseRetryDelay: Duration = .milliseconds(100)
    /// Upper bound of a retry delay.
    public var maxRetryDelay: Duration = .seconds(20)
    /// How long to wait for a response's status and headers.
    public var responseHeadTimeout: TimeAmount = .seconds(30)
    /// Bytes an object stream may hold before the download pauses (its memory bound).
    public var streamBufferCapacity: Int = 4 << 20

    /// Creates a configuration from its parts.
    public init(region: String, endpoint: S3Endpoint) {
        self.region = region
        self.endpoint = endpoint
    }

    /// Resolves region and endpoint the way the AWS CLI does.
    ///
    /// Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the selected profile's `region`, else
    /// `us-east-1`. Endpoint: `explicitEndpoint`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`
    /// (all path style), else AWS's virtual-hosted endpoint of the region.
    public static func resolve(
        environment: [String: String],
        homeDirectory: String,
        explicitEndpoint: String? = nil
    ) throws -> S3ClientConfiguration {
        func env(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        var region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION")
        if region == nil {
            region = try AWSSharedConfig(environment: environment, homeDirectory: homeDirectory).region
        }
        let resolvedRegion = region ?? "us-east-1"
        let endpointText = explicitEndpoint.flatMap { $0.isEmpty ? nil : $0 }
            ?? env("AWS_ENDPOINT_URL_S3") ?? env("AWS_ENDPOINT_URL")
        let endpoint = try endpointText.map { try S3Endpoint(url: $0) } ?? .aws(region: resolvedRegion)
        return S3ClientConfiguration(region: resolvedRegion, endpoint: endpoint)
    }
}
