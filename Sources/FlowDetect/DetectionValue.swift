/// A checked parameter value.
struct DetectionValue: Sendable {
    /// As shown to a person.
    var text: String
    /// As written into SQL.
    var literal: String
    /// The number, for numeric kinds.
    var number: Double? = nil
    /// The list, for `address-list`.
    var list: AddressList? = nil
}
