import Foundation
import Testing
@testable import FlowParquet

@Suite("Fixtures against their text oracles")
struct FixtureTests {
    @Test("fixture set is present")
    func fixturesExist() {
        #expect(oracleFixtures.count >= 16)
    }

    @Test("decodes record by record like the oracle", arguments: oracleFixtures)
    func matchesOracle(name: String) throws {
        let file = try ParquetFile(path: fixturePath(name))
        let oracle = try readOracle(name)
        #expect(file.columns.map { $0.name.replacingOccurrences(of: "_", with: "-") } == oracle.header)
        #expect(file.rowCount == Int64(oracle.rows.count))
        let rows = try decodeAllRows(file)
        #expect(rows.count == oracle.rows.count)
        for (i, (got, want)) in zip(rows, oracle.rows).enumerated() where got != want {
            Issue.record("\(name) record \(i): got \(got.joined(separator: " ")), want \(want.joined(separator: " "))")
            break
        }
    }

    @Test("batch size does not change the result", arguments: [1, 3, 7, 64])
    func batchSizes(batchSize: Int) throws {
        for name in ["flows-gzip-v1-dict.parquet", "flows-snappy-v2-plain.parquet", "flows-extra-columns-v2.parquet", "flows-dict-fallback.parquet"] {
            let file = try ParquetFile(path: fixturePath(name))
            #expect(try decodeAllRows(file, batchSize: batchSize) == readOracle(name).rows, "\(name) at batch size \(batchSize)")
        }
    }

    @Test("a column subset in any order reads just those columns")
    func columnSubset() throws {
        let name = "flows-none-v2-dict.parquet"
        let file = try ParquetFile(path: fixturePath(name))
        let oracle = try readOracle(name)
        let wanted = ["log_status", "srcaddr", "bytes", "srcaddr"]
        let indices = wanted.compactMap { w in file.columns.firstIndex { $0.name == w } }
        let rows = try decodeAllRows(file, batchSize: 11, columns: indices)
        let oracleIndices = wanted.compactMap { oracle.header.firstIndex(of: $0.replacingOccurrences(of: "_", with: "-")) }
        #expect(rows == oracle.rows.map { row in oracleIndices.map { row[$0] } })
    }

    @Test("schema reports AWS's flow-log types")
    func schema() throws {
        let file = try ParquetFile(path: fixturePath("flows-v5-fields.parquet"))
        let byName = Dictionary(uniqueKeysWithValues: file.columns.map { ($0.name, $0) })
        #expect(byName["srcport"]?.physicalType == .int32)
        #expect(byName["bytes"]?.physicalType == .int64)
        #expect(byName["srcaddr"]?.physicalType == .byteArray)
        #expect(byName["srcaddr"]?.logicalType == .string)
        #expect(byName["traffic_path"]?.isOptional == true)
        #expect(file.columns.count == 29)
        #expect(file.rowGroupCount == 1)
        let required = try ParquetFile(path: fixturePath("flows-required.parquet"))
        #expect(required.columns.allSatisfy { !$0.isOptional })
        let batch = try #require(try required.rows(ofRowGroup: 0, columns: [0, 1], batchSize: 100).next())
        #expect(batch.columns.allSatisfy { $0.validity == nil && $0.nullCount == 0 })
    }

    @Test("multi-row-group, multi-page fixtures really have several of each")
    func layout() throws {
        let file = try ParquetFile(path: fixturePath("flows-gzip-v2-plain.parquet"))
        #expect(file.rowGroupCount == 3)
        #expect(try file.rowCount(ofRowGroup: 0) == 20)
        var pages = 0
        let range = file.chunkRanges[0][3]
        let reader = PageReader(fd: file.fd, start: range.lowerBound, end: range.upperBound, codec: .gzip)
        while try reader.next() != nil { pages += 1 }
        #expect(pages >= 3)
    }

    @Test("batch values are dense by row with nulls as zero slots")
    func denseLayout() throws {
        let file = try ParquetFile(path: fixturePath("flows-snappy-v1-dict.parquet"))
        let srcport = try #require(file.columns.firstIndex { $0.name == "srcport" })
        let srcaddr = try #require(file.columns.firstIndex { $0.name == "srcaddr" })
        let reader = try file.rows(ofRowGroup: 0, columns: [srcport, srcaddr], batchSize: 1000)
        let batch = try #require(try reader.next())
        #expect(try reader.next() == nil)
        let ports = try #require(batch.columns[0].integers)
        let addrs = try #require(batch.columns[1].byteArrays)
        let validity = try #require(batch.columns[0].validity)
        #expect(ports.count == batch.rowCount && addrs.count == batch.rowCount && addrs.offsets.count == batch.rowCount + 1)
        #expect(batch.columns[0].nullCount == validity.filter { !$0 }.count)
        for i in 0..<batch.rowCount where !validity[i] { #expect(ports[i] == 0) }
        for i in 0..<batch.rowCount where batch.columns[1].isNull(i) { #expect(addrs.range(i).isEmpty) }
        #expect(batch.columns[0].nullCount > 0)
    }

    @Test("content sniffing")
    func sniff() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixturePath("flows-none-v1-plain.parquet")))
        #expect(ParquetFile.isParquet(firstBytes: bytes.prefix(8)))
        #expect(!ParquetFile.isParquet(firstBytes: Array("2 123 eni".utf8)))
        #expect(!ParquetFile.isParquet(firstBytes: [0x50, 0x41, 0x52]))
    }
}

/// Page types and value encodings of one column chunk, read straight from the pages.
private func pageEncodings(_ file: ParquetFile, rowGroup: Int, column name: String) throws -> [String] {
    guard let index = file.columns.firstIndex(where: { $0.name == name }) else { return [] }
    let range = file.chunkRanges[rowGroup][index]
    let codec = try #require(ParquetCodec(rawValue: file.metadata.rowGroups[rowGroup].columns[index].metaData?.codec ?? -1))
    let reader = PageReader(fd: file.fd, start: range.lowerBound, end: range.upperBound, codec: codec)
    var out: [String] = []
    while let page = try reader.next() {
        let h = page.header
        if let d = h.dictionaryPage { out.append("dict:\(ParquetEncoding.name(d.encoding))") }
        if let d = h.dataPage { out.append("v1:\(ParquetEncoding.name(d.encoding))") }
        if let d = h.dataPageV2 { out.append("v2:\(ParquetEncoding.name(d.encoding))") }
    }
    return out
}

@Suite("Fixture page layouts cover the cases they claim")
struct FixtureLayoutTests {
    @Test("dictionary fallback mixes dictionary and PLAIN pages in one chunk")
    func fallback() throws {
        let file = try ParquetFile(path: fixturePath("flows-dict-fallback.parquet"))
        let pages = try pageEncodings(file, rowGroup: 0, column: "srcaddr")
        #expect(pages.first?.hasPrefix("dict:") == true)
        #expect(pages.contains("v1:RLE_DICTIONARY"))
        #expect(pages.contains("v1:PLAIN"))
    }

    @Test("v2 pages carry RLE booleans, v1 pages PLAIN ones")
    func booleans() throws {
        let v2 = try pageEncodings(ParquetFile(path: fixturePath("flows-extra-columns-v2.parquet")), rowGroup: 0, column: "x_flag")
        let v1 = try pageEncodings(ParquetFile(path: fixturePath("flows-extra-columns-v1.parquet")), rowGroup: 0, column: "x_flag")
        #expect(v2.contains { $0.hasPrefix("v2:") })
        #expect(v1.contains { $0.hasPrefix("v1:") })
        #expect(v2.contains("v2:RLE"))
        #expect(v1.contains("v1:PLAIN"))
    }
}
