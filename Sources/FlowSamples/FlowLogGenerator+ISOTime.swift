import FlowModel
import Foundation

extension FlowLogGenerator {
    /// `2024-01-03T14:00:00Z` for a Unix time.
    public static func isoTime(_ seconds: Int64) -> String {
        let day = PartitionDay(unixSeconds: seconds)
        let ofDay = Int(seconds - day.startSeconds)
        return day.isoText + String(format: "T%02d:%02d:%02dZ", ofDay / 3_600, ofDay % 3_600 / 60, ofDay % 60)
    }
}
