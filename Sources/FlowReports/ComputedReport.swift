import Foundation

/// A report computed in Swift rather than written as SQL: it runs aggregate flowq queries (the
/// vectorized engine does the heavy part, so the answers are small) and combines their rows
/// with the store's inventory, where the combining is not SQL-shaped (no `JOIN` yet, security
/// group matching, prefix arithmetic, prices).
///
/// A ``ReportDefinition`` with a ``ReportComputation`` is run by ``ReportRunner`` like any other:
/// the same window, parameters, formats and errors.
public protocol ComputedReport: Sendable {
    /// The section headings, in order, for `flowq report --list`.
    var sectionNames: [String] { get }
    /// Runs the report's queries over `context` and returns its sections.
    func sections(in context: ComputedReportContext) throws(ReportError) -> [ReportSection]
}

/// A definition's computed body; equal when it is the same kind of computation.
public struct ReportComputation: Sendable, Equatable {
    /// The computation.
    public let report: any ComputedReport

    /// Wraps `report`.
    public init(_ report: any ComputedReport) {
        self.report = report
    }

    public static func == (lhs: ReportComputation, rhs: ReportComputation) -> Bool {
        ObjectIdentifier(type(of: lhs.report)) == ObjectIdentifier(type(of: rhs.report))
    }
}
