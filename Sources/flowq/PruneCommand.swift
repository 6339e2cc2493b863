import ArgumentParser
import FlowModel
import FlowStore
import Foundation

/// `flowq prune`: retention.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Drop whole day partitions older than an age or a date.",
        discussion: """
            Days are UTC days of the records' start. Dropped days are gone from queries at once;
            the files they came from stay listed, so an incremental ingest does not bring them back.

            Examples:
              flowq prune --older-than 90d
              flowq prune --before 2024-01-01 --dry-run
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: ArgumentHelp("Drop days more than this many days before today (e.g. 90d).", valueName: "age"))
    var olderThan: String?
    @Option(help: ArgumentHelp("Drop days before this date (YYYY-MM-DD).", valueName: "date"))
    var before: String?
    @Flag(help: "Only say what would be dropped.") var dryRun = false
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard (olderThan == nil) != (before == nil) else { throw ValidationError("give exactly one of --older-than or --before") }
        if let olderThan, Self.days(olderThan) == nil {
            throw ValidationError("--older-than takes a number of days from 0 to \(Self.maximumDays.formatted()) such as 90d, not '\(olderThan)'")
        }
        if let before, PartitionDay(before) == nil { throw ValidationError("--before takes a date such as 2024-01-01, not '\(before)'") }
    }

    func run() throws {
        let today = PartitionDay(unixSeconds: Int64(Date().timeIntervalSince1970))
        let cutoff = before.flatMap { PartitionDay($0) } ?? today.adding(days: -Int32(olderThan.flatMap(Self.days) ?? 0))
        let store = storeOptions.resolved
        guard store.exists else {
            Terminal.message("error: no flowq store at \(store.url.path)")
            throw ExitStatus.failure
        }
        do {
            let result = try Retention(store: store).prune(before: cutoff, dryRun: dryRun)
            if !quiet {
                let verb = dryRun ? "would drop" : "dropped"
                let days = result.days.isEmpty ? "no partition" : "\(result.days.count) day(s) from \(result.days[0].isoText) to \(result.days[result.days.count - 1].isoText)"
                Terminal.message("\(verb) \(days) before \(cutoff.isoText): \(result.rows.formatted()) records, \(ByteCountFormatter.string(fromByteCount: result.bytes, countStyle: .file))")
            }
            if !result.filesLeft.isEmpty {
                Terminal.message("note: queries kept running, so the files of \(result.filesLeft.count) dropped day(s) are not deleted yet; queries no longer see those days, and the next ingest or prune deletes the files")
            }
        } catch {
            Terminal.message("error: \(error.localizedDescription)")
            throw ExitStatus.failure
        }
    }

    /// The longest age accepted: beyond any flow log (AWS started them in 2015) but small
    /// enough that the cutoff day is a real date.
    static let maximumDays = 1_000_000

    /// `90d` or `90` as a number of days.
    static func days(_ text: String) -> Int? {
        let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
        return Int(digits).flatMap { $0 >= 0 && $0 <= maximumDays ? $0 : nil }
    }
}
