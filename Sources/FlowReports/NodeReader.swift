import FlowQuery
import Foundation
import Yams

/// Reads typed values out of YAML nodes, failing with the file, line and key path.
package struct NodeReader {
    /// The file, named in every error.
    package let source: String

    /// A reader for nodes of the file `source`.
    package init(source: String) {
        self.source = source
    }

    /// The keys of a mapping in file order, looked up by name.
    package struct Fields {
        /// The keys and values, in file order.
        package var pairs: [(String, Node)]
        /// The value of `key`, if present.
        package subscript(key: String) -> Node? { pairs.first { $0.0 == key }?.1 }
    }

    /// `file:line:column` of a node, or the file alone.
    package func place(_ node: Node?) -> String {
        guard let mark = node?.mark else { return source }
        return "\(source):\(mark.line):\(mark.column)"
    }

    /// An error at `node`'s place, for the key path `path`.
    package func fail(_ path: String, _ node: Node?, _ message: String) -> ReportError {
        ReportError(.definition, "\(place(node)): \(path): \(message)")
    }

    /// A mapping with text keys; `allowed` (when given) lists the keys it may have.
    package func mapping(_ node: Node, at path: String, allowed: [String]?) throws(ReportError) -> Fields {
        guard case .mapping(let mapping) = node else {
            throw fail(path, node, "must be a mapping of key: value lines, not \(describe(node))")
        }
        var fields = Fields(pairs: [])
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !scalar.string.isEmpty else {
                throw fail(path, keyNode, "has a key that is not a plain word")
            }
            let key = scalar.string
            let keyPath = path == "(top level)" ? key : "\(path).\(key)"
            if let allowed, !allowed.contains(key) {
                let hint = suggestion(for: key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(keyPath, keyNode, "unknown key\(hint); the keys here are \(allowed.joined(separator: ", "))")
            }
            guard fields[key] == nil else { throw fail(keyPath, keyNode, "appears twice") }
            fields.pairs.append((key, value))
        }
        return fields
    }

    /// A scalar as text; empty text is refused unless `allowEmpty`.
    package func string(_ node: Node, at path: String, allowEmpty: Bool = false) throws(ReportError) -> String {
        guard case .scalar(let scalar) = node else {
            throw fail(path, node, "must be text, not \(describe(node))")
        }
        let text = node.null != nil ? "" : scalar.string
        if !allowEmpty && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw fail(path, node, "is empty")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A scalar as text, nil for YAML null (`~`, `null` or nothing).
    package func optionalScalar(_ node: Node, at path: String) throws(ReportError) -> String? {
        guard case .scalar = node else { throw fail(path, node, "must be a single value, not \(describe(node))") }
        if node.null != nil { return nil }
        return try string(node, at: path)
    }

    /// One text value or a list of them.
    package func strings(_ node: Node, at path: String) throws(ReportError) -> [String] {
        if case .sequence(let sequence) = node {
            var values: [String] = []
            for (index, item) in sequence.enumerated() { values.append(try string(item, at: "\(path)[\(index)]")) }
            return values
        }
        return [try string(node, at: path)]
    }

    /// The allowed key nearest a misspelt one (`titel` -> `title`), if it is close.
    private func suggestion(for key: String, among allowed: [String]) -> String? {
        let lowered = key.lowercased()
        let scored = allowed.map { ($0, Suggestions.editDistance(lowered, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, lowered.count / 3) else { return nil }
        return best.0
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "the value '\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}
