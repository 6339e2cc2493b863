/// One row of an inventory table as the store gives it back: each column's value by name.
///
/// The store writes rows through ``InventoryTable/values``; this is the way back, so the typed
/// rows can be rebuilt for the reports that combine flows with the inventory. List columns are
/// JSON array text and `tags` a JSON object, as written.
public struct StoredInventoryRow: Sendable {
    private let values: [String: InventoryValue]

    /// A row of `values` by column name; a column missing from it reads as NULL.
    public init(_ values: [String: InventoryValue]) {
        self.values = values
    }

    /// The column's text, nil for NULL.
    public func text(_ column: String) -> String? {
        switch values[column] {
        case .text(let text): return text
        case .integer(let number): return String(number)
        case .boolean(let flag): return flag ? "true" : "false"
        case .null, nil: return nil
        }
    }

    /// The column's number, nil for NULL or text that is not one.
    public func integer(_ column: String) -> Int64? {
        switch values[column] {
        case .integer(let number): return number
        case .boolean(let flag): return flag ? 1 : 0
        case .text(let text): return Int64(text)
        case .null, nil: return nil
        }
    }

    /// The column as a boolean (stored as 0 or 1), nil for NULL.
    public func bool(_ column: String) -> Bool? {
        integer(column).map { $0 != 0 }
    }

    /// A list column (`["sg-1","sg-2"]`) as its strings; empty for NULL or text that is not a
    /// JSON array of strings.
    public func strings(_ column: String) -> [String] {
        guard let text = text(column), case .array(let elements)? = try? JSONParser.parse(Array(text.utf8)) else { return [] }
        return elements.compactMap { element in
            if case .string(let string) = element { return string }
            return nil
        }
    }

    /// The `tags` column (`{"Name":"web"}`) as tags, in the object's order.
    public func tags(_ column: String = "tags") -> [InventoryTag] {
        guard let text = text(column), case .object(let members)? = try? JSONParser.parse(Array(text.utf8)) else { return [] }
        return members.compactMap { member in
            if case .string(let value) = member.value { return InventoryTag(key: member.key, value: value) }
            return nil
        }
    }
}
