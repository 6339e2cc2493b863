import Foundation

/// A parsed AWS shared `credentials` or `config` file: INI sections of `key = value` lines.
///
/// Follows the AWS CLI's reading: `#` and `;` start comments, keys are case-sensitive and trimmed,
/// in the config file a named profile is `[profile name]` and the default one `[default]`,
/// and in the credentials file every section is a bare profile name. Indented lines continue a
/// nested value (as in `s3 =` blocks) and are ignored, since nothing here needs them.
/// Internal: its values include secret keys, and only `AWSSharedConfig` (which redacts) uses it.
struct AWSConfigFile: Sendable, Equatable {
    /// Which of the two shared files this is; they name their profile sections differently.
    enum Kind: Sendable {
        /// `~/.aws/credentials`: sections are bare profile names.
        case credentials
        /// `~/.aws/config`: sections are `[profile name]`, except `[default]`.
        case config
    }

    /// Profile name → its settings.
    private(set) var profiles: [String: [String: String]] = [:]

    /// Parses the text of a file of the given kind.
    init(text: String, kind: Kind) {
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else { current = nil; continue }
                let name = line[line.index(after: line.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                current = Self.profileName(section: name, kind: kind)
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            // Nested sub-settings (`s3 =` followed by indented lines) are not needed here.
            guard !isIndented, let profile = current, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs whitespace before it, so `#` inside a value survives.
            if let hash = value.range(of: " #") ?? value.range(of: " ;") {
                value = value[..<hash.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            profiles[profile, default: [:]][key] = value
        }
    }

    /// Reads and parses `path`; a missing file gives `nil`, an unreadable one throws.
    static func load(path: String, kind: Kind) throws -> AWSConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return AWSConfigFile(text: String(decoding: data, as: UTF8.self), kind: kind)
        } catch {
            throw CredentialError.unreadableFile(path: path, underlying: error)
        }
    }

    /// The settings of `profile`, or `nil` when the file has no such section.
    func profile(_ name: String) -> [String: String]? { profiles[name] }

    /// The profile a section header names, or `nil` for sections that are not profiles.
    private static func profileName(section: String, kind: Kind) -> String? {
        switch kind {
        case .credentials:
            return section
        case .config:
            if section == "default" { return "default" }
            let parts = section.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            guard parts.count == 2, parts[0] == "profile" else { return nil }
            return parts[1].trimmingCharacters(in: .whitespaces)
        }
    }
}
