/// Where a value sits in a JSON document: `Reservations[0].Instances[2].InstanceId`.
///
/// Errors about a field name it in this form, the way `--query` and `jq` spell paths, so a
/// person can find the value without counting lines.
struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step: a member name or an array index.
    enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The steps from the top-level value.
    var components: [Component]

    /// The top-level value itself.
    static let root = JSONPath(components: [])

    /// The path one member further down.
    func appending(_ key: String) -> JSONPath { JSONPath(components: components + [.key(key)]) }

    /// The path one array element further down.
    func appending(_ index: Int) -> JSONPath { JSONPath(components: components + [.index(index)]) }

    /// `Reservations[0].Instances[2].InstanceId`; `(top level)` for the root.
    var description: String {
        if components.isEmpty { return "(top level)" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += key
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }
}
