import FlowModel

extension Bound {
    /// The expression with the partition's day filled in and folded again: on 2024-01-05,
    /// `date = DATE '2024-01-05'` is true and drops out, `day > '2024/01/06'` is false and the
    /// partition is skipped without reading a segment.
    func specialized(for day: PartitionDay) -> Bound {
        switch node {
        case .partitionDate:
            return .literal(.int(Int64(day.dayNumber)), .date)
        case .partitionSlashed:
            var b = Bound.literal(.string(day.slashedText), .varchar)
            b.isPartitionDay = true
            return b
        case .function(let function, let arguments):
            guard readsPartitionDay else { return self }
            let specialized = arguments.map { $0.specialized(for: day) }
            return Bound.folded(function, specialized, type, form: form)
        case .caseWhen(let branches, let otherwise):
            guard readsPartitionDay else { return self }
            return Bound(.caseWhen(branches.map { ($0.condition.specialized(for: day), $0.result.specialized(for: day)) },
                                   otherwise: otherwise?.specialized(for: day)), type: type, form: form)
        default:
            return self
        }
    }

    /// A call, folded when every argument is constant (a failure stays for the rows to raise).
    static func folded(_ function: BoundFunction, _ arguments: [Bound], _ type: SQLType, form: Form) -> Bound {
        let call = Bound.call(function, arguments, type, form: form)
        guard arguments.allSatisfy({ $0.constant != nil }), let value = try? ScalarEvaluator.evaluate(call, row: [], pools: nil) else {
            return call
        }
        return Bound(.constant, type: type, form: form, constant: value)
    }
}
