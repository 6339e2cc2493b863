/// Units and formatting the priced reports share.
enum ReportMoney {
    /// Bytes in the GB that prices are per: 2^30 (a binary gigabyte).
    static let bytesPerGB = 1_073_741_824.0

    /// `bytes` in GB.
    static func gigabytes(_ bytes: Int64) -> Double { Double(bytes) / bytesPerGB }

    /// A dollar amount rounded to the hundredth of a cent, as the columns hold it.
    static func dollars(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }

    /// GB rounded to the thousandth, as the columns hold it.
    static func rounded(_ gb: Double) -> Double { (gb * 1_000).rounded() / 1_000 }
}
