/// How findings are written.
public enum FindingFormat: String, Sendable, CaseIterable {
    /// Aligned columns for a terminal, evidence as `name=value` pairs.
    case table
    /// One JSON document: the window, notes and an array of findings.
    case json
    /// One finding a line as a JSON object (for a SIEM); nothing for no findings.
    case ndjson
    /// A Markdown table for a ticket or a chat.
    case markdown
    /// One self-contained HTML page.
    case html

    /// The format a file name's extension asks for (`.ndjson`, `.json`, `.md`, `.html`, `.txt`).
    public init?(fileExtensionOf path: String) {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl") { self = .ndjson }
        else if lowered.hasSuffix(".json") { self = .json }
        else if lowered.hasSuffix(".md") || lowered.hasSuffix(".markdown") { self = .markdown }
        else if lowered.hasSuffix(".html") || lowered.hasSuffix(".htm") { self = .html }
        else if lowered.hasSuffix(".txt") { self = .table }
        else { return nil }
    }
}
