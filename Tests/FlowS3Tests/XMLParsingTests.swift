import FlowS3TestSupport
import Foundation
import Testing

@testable import FlowS3

@Suite struct XMLParsingTests {
    @Test func entities() {
        #expect(S3XMLScanner.decodeEntities("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;") == "a & b <c> \"d\" 'e'")
        #expect(S3XMLScanner.decodeEntities("&#65;&#x42;&#X43;&#x1F600;") == "ABC😀")
        #expect(S3XMLScanner.decodeEntities("&unknown; & alone &#xZZ;") == "&unknown; & alone &#xZZ;")
        #expect(S3XMLScanner.decodeEntities("&amp;lt;") == "&lt;")
    }

    static let page1 = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- listing -->
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>flow-logs</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
          <IsTruncated>true</IsTruncated>
          <Contents>
            <Key>AWSLogs/a&amp;b &lt;1&gt;.log.gz</Key>
            <LastModified>2024-03-01T12:34:56.000Z</LastModified>
            <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
            <Size>1234</Size>
            <StorageClass>STANDARD</StorageClass>
          </Contents>
          <Contents><Key><![CDATA[AWSLogs/cdata<&>.gz]]></Key><Size>0</Size><ETag>"e"</ETag><Owner><ID>x</ID><Key>not-me</Key></Owner></Contents>
          <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
        </ListBucketResult>
        """

    @Test func listPageWithContinuation() throws {
        let page = try ListObjectsPage.parse(Self.page1)
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        #expect(page.objects.count == 2)
        #expect(page.objects[0].key == "AWSLogs/a&b <1>.log.gz")
        #expect(page.objects[0].size == 1234)
        #expect(page.objects[0].etag == "\"9b2cf535f27731c974343645a3985328\"")
        #expect(page.objects[0].lastModified == Date(timeIntervalSince1970: 1_709_296_496))
        #expect(page.objects[1].key == "AWSLogs/cdata<&>.gz")
        #expect(page.objects[1].size == 0)
    }

    @Test func lastPageAndEmptyListing() throws {
        let last = try ListObjectsPage.parse("<ListBucketResult><IsTruncated>false</IsTruncated><Prefix/></ListBucketResult>")
        #expect(!last.isTruncated)
        #expect(last.objects.isEmpty)
        #expect(last.nextContinuationToken == nil)
    }

    @Test func malformedListings() {
        #expect(throws: S3ResponseParseError.self) { try ListObjectsPage.parse("<Other/>") }
        #expect(throws: S3ResponseParseError.self) {
            try ListObjectsPage.parse("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
        }
        #expect(throws: S3ResponseParseError.self) {
            try ListObjectsPage.parse("<ListBucketResult><Contents><Key>k</Key><Size>x</Size></Contents></ListBucketResult>")
        }
    }

    @Test func errorBody() {
        let body = S3ErrorBody.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist &amp; never did.</Message>
            <Key>a/b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """)
        #expect(body == S3ErrorBody(code: "NoSuchKey", message: "The specified key does not exist & never did.", requestId: "4442587FB7D0A2F9"))
        #expect(S3ErrorBody.parse("") == nil)
        #expect(S3ErrorBody.parse("<html>Bad gateway</html>") == nil)
    }

    @Test func contentRange() {
        let range = S3Client.parseContentRange("bytes 100-199/1000")
        #expect(range?.start == 100 && range?.end == 199 && range?.total == 1000)
        #expect(S3Client.parseContentRange("bytes 0-9/*")?.total == nil)
        #expect(S3Client.parseContentRange("items 0-9/10") == nil)
    }

    @Test func configFileParsing() {
        let file = AWSConfigFile(text: """
            [default]
            region=us-east-1
            s3 =
              max_concurrent_requests = 20
            [profile  prod ]
            output = json # comment
            key=a#b
            [sso-session corp]
            sso_region = us-east-1
            """, kind: .config)
        #expect(file.profile("default") == ["region": "us-east-1", "s3": ""])
        #expect(file.profile("prod") == ["output": "json", "key": "a#b"])
        #expect(file.profiles.count == 2)
    }
}
