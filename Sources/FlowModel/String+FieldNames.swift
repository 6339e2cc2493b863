extension String {
    /// The string with every ASCII byte `from` replaced by the ASCII byte `to`: how field
    /// names turn between AWS's spelling (`log-status`) and a column name (`log_status`).
    /// Native rather than Foundation's `replacingOccurrences`, which on Linux bridges through
    /// NSString and showed in the start-up profile of every query.
    package func replacingASCII(_ from: Unicode.Scalar, with to: Unicode.Scalar) -> String {
        precondition(from.isASCII && to.isASCII)
        let old = UInt8(from.value), new = UInt8(to.value)
        guard utf8.contains(old) else { return self }
        return String(decoding: utf8.map { $0 == old ? new : $0 }, as: UTF8.self)
    }
}
