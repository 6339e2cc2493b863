import Foundation

/// A small scanner for the flat XML documents S3 answers with (ListObjectsV2 results, errors).
///
/// It is not a general XML parser: it reads start tags, end tags and text, skips the prolog,
/// comments and processing instructions, keeps CDATA text verbatim, and decodes the five named
/// entities plus decimal and hex character references. That is all S3's responses use, and it
/// keeps FoundationXML (and libxml2) out of the statically linked binary.
struct S3XMLScanner {
    /// One piece of the document.
    enum Event: Equatable {
        /// `<name …>`; a self-closing `<name/>` gives a start and an end.
        case start(String)
        /// `</name>`.
        case end(String)
        /// Text between tags, entities decoded.
        case text(String)
    }

    /// Splits `document` into events, in order.
    static func events(_ document: String) -> [Event] {
        var events: [Event] = []
        let bytes = Array(document.utf8)
        var i = 0
        var textStart = 0

        func flushText(upTo end: Int) {
            guard end > textStart else { return }
            let raw = String(decoding: bytes[textStart..<end], as: UTF8.self)
            if !raw.allSatisfy(\.isWhitespace) { events.append(.text(decodeEntities(raw))) }
        }

        func find(_ pattern: String, from start: Int) -> Int? {
            let needle = Array(pattern.utf8)
            var j = start
            while j + needle.count <= bytes.count {
                if bytes[j] == needle[0], Array(bytes[j..<(j + needle.count)]) == needle { return j }
                j += 1
            }
            return nil
        }

        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<") else { i += 1; continue }
            flushText(upTo: i)
            if hasPrefix(bytes, at: i, "<![CDATA[") {
                let close = find("]]>", from: i + 9) ?? bytes.count
                events.append(.text(String(decoding: bytes[(i + 9)..<close], as: UTF8.self)))
                i = min(close + 3, bytes.count)
            } else if hasPrefix(bytes, at: i, "<!--") {
                i = min((find("-->", from: i + 4) ?? bytes.count) + 3, bytes.count)
            } else if hasPrefix(bytes, at: i, "<?") || hasPrefix(bytes, at: i, "<!") {
                i = min((find(">", from: i + 2) ?? bytes.count) + 1, bytes.count)
            } else {
                let close = find(">", from: i + 1) ?? bytes.count
                var inner = String(decoding: bytes[(i + 1)..<close], as: UTF8.self)
                i = min(close + 1, bytes.count)
                if inner.hasPrefix("/") {
                    events.append(.end(tagName(String(inner.dropFirst()))))
                } else {
                    let selfClosing = inner.hasSuffix("/")
                    if selfClosing { inner.removeLast() }
                    let name = tagName(inner)
                    events.append(.start(name))
                    if selfClosing { events.append(.end(name)) }
                }
            }
            textStart = i
        }
        flushText(upTo: bytes.count)
        return events
    }

    /// The element name of a tag's inside, without attributes or a namespace prefix.
    private static func tagName(_ inner: String) -> String {
        let name = inner.prefix { !$0.isWhitespace }
        if let colon = name.lastIndex(of: ":") { return String(name[name.index(after: colon)...]) }
        return String(name)
    }

    private static func hasPrefix(_ bytes: [UInt8], at index: Int, _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return index + p.count <= bytes.count && Array(bytes[index..<(index + p.count)]) == p
    }

    /// Replaces `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` and `&#N;` / `&#xH;` with their characters;
    /// anything else starting with `&` is kept as it is.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[amp...]
            guard let semi = after.firstIndex(of: ";"), after.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = after[after.index(after: amp)..<semi]
            if let decoded = decodeEntity(entity) {
                out += decoded
            } else {
                out += after[amp...semi]
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    private static func decodeEntity(_ entity: Substring) -> String? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        guard entity.hasPrefix("#") else { return nil }
        let digits = entity.dropFirst()
        let value: UInt32?
        if digits.hasPrefix("x") || digits.hasPrefix("X") {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value, let scalar = Unicode.Scalar(value) else { return nil }
        return String(Character(scalar))
    }
}
