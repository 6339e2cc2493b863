import Foundation
import Testing
@testable import FlowIngest

@Suite("Gzip and line reading")
struct ReaderTests {
    @Test("several gzip members in one file are all read")
    func multiMember() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.writeGzip("multi.log.gz", members: ["a\nb\n", "c\n", "d"])
        #expect(try readLines(path) == ["a", "b", "c", "d"])
    }

    @Test("a plain file is recognised by its first bytes, whatever its name")
    func plainFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("plain.log.gz", "x y\nz\n")
        #expect(try readLines(path) == ["x y", "z"])
        let reader = try DecompressingReader(path: path)
        _ = try reader.read(into: UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1))
        #expect(reader.isGzip == false)
    }

    @Test("CRLF endings and a missing final newline")
    func lineEndings() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("crlf.log", "one\r\ntwo\r\n\r\nthree")
        #expect(try readLines(path) == ["one", "two", "", "three"])
    }

    @Test("a truncated gzip file fails with the byte count")
    func truncated() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let text = (0..<5000).map { "line \($0) with some text to compress \($0 * 7919)" }.joined(separator: "\n")
        let full = try folder.writeGzip("full.log.gz", members: [text])
        let data = try Data(contentsOf: URL(fileURLWithPath: full))
        let cut = folder.path("cut.log.gz")
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(throws: GzipError.truncated(afterCompressedBytes: data.count / 2)) {
            _ = try readLines(cut)
        }
    }

    @Test("bytes after the last member that start no member are an error; zero padding is not")
    func trailingBytes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.writeGzip("pad.log.gz", members: ["a\n"])
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let size = data.count
        data.append(contentsOf: [0, 0, 0, 0])
        try data.write(to: URL(fileURLWithPath: path))
        #expect(try readLines(path) == ["a"])
        data.append(contentsOf: Array("junk".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: GzipError.trailingGarbage(atCompressedByte: size + 4)) { _ = try readLines(path) }
    }

    @Test("corrupt gzip data is reported, not read as text")
    func corrupt() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("bad.log.gz")
        try Data([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff]).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try readLines(path)
        } throws: { error in
            if case GzipError.corrupt = error { return true }
            return false
        }
    }

    @Test("a line over the limit is skipped and reported; reading goes on")
    func overlongLine() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let long = String(repeating: "x", count: 300_000)
        let path = try folder.writeGzip("long.log.gz", members: ["a\n\(long)\nb\n\(long)"])
        #expect(try readLines(path, maximumLineLength: 1000) == ["a", "<overlong 2>", "b", "<overlong 4>"])
    }

    @Test("an empty file yields no lines")
    func emptyFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try readLines(try folder.write("empty.log", "")) == [])
    }

    @Test("lines spanning buffer refills come out whole")
    func bufferBoundaries() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let lines = (0..<40_000).map { "record number \($0) " + String(repeating: "z", count: $0 % 97) }
        let path = try folder.writeGzip("many.log.gz", members: [lines.joined(separator: "\n") + "\n"])
        #expect(try readLines(path) == lines)
    }
}
