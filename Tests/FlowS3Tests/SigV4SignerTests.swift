import FlowS3TestSupport
import Foundation
import Testing

@testable import FlowS3

/// Vectors from AWS's published SigV4 test suite (aws-sig-v4-test-suite) and the S3 API
/// reference's worked examples ("Signature Calculations for the Authorization Header").
@Suite struct SigV4SignerTests {
    static let suiteCredentials = AWSCredentials(
        accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 20150830T123600Z
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)
    static let host = ("Host", "example.amazonaws.com")

    struct Vector: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var path = "/"
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body = ""
        var normalize = false
        var signedHeaders = "host;x-amz-date"
        var signature: String
        var testDescription: String { name }
    }

    static let vectors: [Vector] = [
        Vector(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
               signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Vector(name: "get-vanilla-empty-query-key", query: [("Param1", "value1")],
               signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Vector(name: "get-vanilla-query-unreserved",
               query: [("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")],
               signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Vector(name: "get-vanilla-utf8-query", query: [("\u{1234}", "bar")],
               signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Vector(name: "get-unreserved", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
               signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Vector(name: "get-utf8", path: "/\u{1234}",
               signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        Vector(name: "get-space (unnormalized)", path: "/example space/",
               signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        Vector(name: "get-header-key-duplicate",
               headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
               signedHeaders: "host;my-header1;x-amz-date",
               signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Vector(name: "get-header-value-order",
               headers: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
               signedHeaders: "host;my-header1;x-amz-date",
               signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Vector(name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")],
               signedHeaders: "host;my-header1;my-header2;x-amz-date",
               signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Vector(name: "post-vanilla", method: "POST",
               signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Vector(name: "post-vanilla-query", method: "POST", query: [("Param1", "value1")],
               signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        Vector(name: "post-header-key-sort", method: "POST", headers: [("My-Header1", "value1")],
               signedHeaders: "host;my-header1;x-amz-date",
               signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        Vector(name: "post-header-value-case", method: "POST", headers: [("My-Header1", "VALUE1")],
               signedHeaders: "host;my-header1;x-amz-date",
               signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        Vector(name: "post-x-www-form-urlencoded", method: "POST",
               headers: [("Content-Type", "application/x-www-form-urlencoded")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date",
               signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        Vector(name: "post-x-www-form-urlencoded-parameters", method: "POST",
               headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")], body: "Param1=value1",
               signedHeaders: "content-type;host;x-amz-date",
               signature: "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
        // normalize-path/*: what non-S3 services sign; S3 itself never normalizes.
        Vector(name: "normalize-path/get-relative", path: "/example/..", normalize: true,
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-relative-relative", path: "/example1/example2/../..", normalize: true,
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-slash-dot-slash", path: "/./", normalize: true,
               signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Vector(name: "normalize-path/get-slashes", path: "//example//", normalize: true,
               signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        Vector(name: "normalize-path/get-slash-pointless-dot", path: "/./example", normalize: true,
               signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        Vector(name: "normalize-path/get-space", path: "/example space/", normalize: true,
               signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        // The same paths left alone, as S3 requires (aws-c-auth's *-unnormalized cases).
        Vector(name: "get-slashes-unnormalized", path: "//example//",
               signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"),
        Vector(name: "get-relative-unnormalized", path: "/example/..",
               signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"),
        Vector(name: "get-relative-relative-unnormalized", path: "/example1/example2/../..",
               signature: "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b"),
    ]

    @Test("AWS SigV4 test suite", arguments: vectors)
    func suiteVector(_ vector: Vector) {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let signed = signer.sign(
            method: vector.method, path: vector.path, query: vector.query,
            headers: [Self.host] + vector.headers,
            payloadHash: SigV4Signer.sha256Hex(Data(vector.body.utf8)),
            date: Self.suiteDate, normalizePath: vector.normalize)
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            + "SignedHeaders=\(vector.signedHeaders), Signature=\(vector.signature)")
        #expect(signed.headers.contains { $0.name == "X-Amz-Date" && $0.value == "20150830T123600Z" })
    }

    @Test("get-vanilla: canonical request and string to sign match the suite's")
    func vanillaIntermediates() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let signed = signer.sign(
            method: "GET", path: "/", query: [("Param2", "value2"), ("Param1", "value1")], headers: [Self.host],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.canonicalRequest == """
            GET
            /
            Param1=value1&Param2=value2
            host:example.amazonaws.com
            x-amz-date:20150830T123600Z

            host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signed.stringToSign == """
            AWS4-HMAC-SHA256
            20150830T123600Z
            20150830/us-east-1/service/aws4_request
            816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0
            """)
    }

    @Test("post-sts-header-before: the session token is signed as x-amz-security-token")
    func sessionToken() {
        let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
        var credentials = Self.suiteCredentials
        credentials.sessionToken = token
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let signed = signer.sign(
            method: "POST", path: "/", headers: [Self.host], payloadHash: SigV4Signer.emptyPayloadHash, date: Self.suiteDate)
        #expect(signed.stringToSign.hasSuffix("c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6"))
        #expect(signed.signature == "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")
        #expect(signed.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == token })
    }

    // MARK: S3 API reference examples

    static let s3Credentials = AWSCredentials(
        accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    /// 20130524T000000Z
    static let s3Date = Date(timeIntervalSince1970: 1_369_353_600)

    @Test("S3 example: GET Object with Range")
    func s3GetObject() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "GET", path: "/test.txt",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date, addContentSHA256Header: true)
        #expect(SigV4Signer.sha256Hex(Data(signed.canonicalRequest.utf8))
            == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        #expect(signed.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed.headers.contains { $0.name == "x-amz-content-sha256" && $0.value == SigV4Signer.emptyPayloadHash })
    }

    @Test("S3 example: GET Bucket (list objects), query given out of order")
    func s3ListObjects() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
            headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date, addContentSHA256Header: true)
        #expect(signed.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("S3 example: GET Bucket lifecycle (empty query value)")
    func s3Lifecycle() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "GET", path: "/", query: [("lifecycle", "")],
            headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: Self.s3Date, addContentSHA256Header: true)
        #expect(signed.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test("S3 example: PUT Object (payload hash, $ in key encoded once)")
    func s3PutObject() {
        let payload = Data("Welcome to Amazon S3.".utf8)
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let signed = signer.sign(
            method: "PUT", path: "/test$file.text",
            headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                      ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: SigV4Signer.sha256Hex(payload), date: Self.s3Date, addContentSHA256Header: true)
        #expect(signed.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test("URI encoding: unreserved kept, slash kept only in paths, UTF-8 bytes encoded once")
    func uriEncoding() {
        #expect(SigV4Signer.uriEncode("a b/c+d=e~f_g.h-i", keepSlash: true) == "a%20b/c%2Bd%3De~f_g.h-i")
        #expect(SigV4Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SigV4Signer.uriEncode("é%20", keepSlash: true) == "%C3%A9%2520")
    }
}
