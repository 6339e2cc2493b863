extension FlowLayout {
    /// The number of fields of AWS's default format (version 2).
    package static let defaultFormatFieldCount = 14

    /// True when the layout is AWS's default format: the 14 version-2 fields in their order
    /// (the first cases of `FlowField`). The parser and the segment builder have loops written
    /// out for it, one call a slot, so the branches of each slot are predicted on their own.
    package var isDefaultFormat: Bool {
        slots.count == Self.defaultFormatFieldCount
            && slots.enumerated().allSatisfy { index, slot in slot == .known(FlowField.allCases[index]) }
    }
}
