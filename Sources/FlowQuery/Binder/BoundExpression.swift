import FlowInventory
import FlowModel

/// An expression after binding: names resolved against the schema, types checked, constants
/// folded, literals brought to the form of what they are compared with. The executor,
/// `explain` and the segment pruner all work from this form; no stage re-reads the text.
struct Bound: Sendable {
    /// What computes the value.
    indirect enum Node: Sendable {
        /// A stored column (a segment without it reads NULL).
        case column(String)
        /// The partition's day as a DATE (`date`).
        case partitionDate
        /// The partition's day as `YYYY/MM/DD` text (`day`, `date_partition`).
        case partitionSlashed
        /// A value known while binding: `constant` holds it.
        case constant
        /// A scalar function or operator over the arguments.
        case function(BoundFunction, [Bound])
        /// `CASE WHEN c THEN v ... ELSE e END` (a simple CASE is bound to this form).
        case caseWhen([(condition: Bound, result: Bound)], otherwise: Bound?)
        /// After aggregation: the value of GROUP BY key `index`.
        case groupKey(Int)
        /// After aggregation: the value of aggregate `index`.
        case aggregate(Int)
    }

    var node: Node
    /// The Trino type of the value.
    var type: SQLType
    /// How the value is held while computing: plain, or as an address code (for `srcaddr` and
    /// friends, which are varchar to queries but addresses in storage).
    var form: Form = .plain
    /// The value when known while binding.
    var constant: Value? = nil
    /// True for `day` / `date_partition`: a date literal compared with them is normalised.
    var isPartitionDay = false

    /// How a value is held.
    enum Form: Sendable, Hashable {
        case plain
        /// An address code (`AddressPool`): IPv4 as its value, IPv6 as 2^32 + an id.
        case address
    }

    init(_ node: Node, type: SQLType, form: Form = .plain, constant: Value? = nil, isPartitionDay: Bool = false) {
        self.node = node
        self.type = type
        self.form = form
        self.constant = constant
        self.isPartitionDay = isPartitionDay
    }

    /// A constant of `type`.
    static func literal(_ value: Value, _ type: SQLType) -> Bound {
        Bound(.constant, type: value.isNull ? .unknown : type, constant: value)
    }

    static let null = Bound(.constant, type: .unknown, constant: .null)

    /// A call of `function` returning `type`.
    static func call(_ function: BoundFunction, _ arguments: [Bound], _ type: SQLType, form: Form = .plain) -> Bound {
        Bound(.function(function, arguments), type: type, form: form)
    }

    /// The stored columns the expression reads.
    var columns: Set<String> {
        switch node {
        case .column(let name): return [name]
        case .function(_, let arguments): return arguments.reduce(into: Set<String>()) { $0.formUnion($1.columns) }
        case .caseWhen(let branches, let otherwise):
            var all = otherwise?.columns ?? []
            for branch in branches { all.formUnion(branch.condition.columns); all.formUnion(branch.result.columns) }
            return all
        default: return []
        }
    }

    /// True when the value depends on the partition (reads its day).
    var readsPartitionDay: Bool {
        switch node {
        case .partitionDate, .partitionSlashed: return true
        case .function(_, let arguments): return arguments.contains { $0.readsPartitionDay }
        case .caseWhen(let branches, let otherwise):
            return branches.contains { $0.condition.readsPartitionDay || $0.result.readsPartitionDay } || otherwise?.readsPartitionDay == true
        default: return false
        }
    }
}

/// Comparison operators, as bound.
enum Comparison: Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    init?(_ op: BinaryOperator) {
        switch op {
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        default: return nil
        }
    }

    /// Whether `order` (-1, 0, 1) satisfies the comparison.
    @inline(__always)
    func holds(_ order: Int) -> Bool {
        switch self {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        }
    }

    var symbol: String {
        switch self {
        case .equal: return "="
        case .notEqual: return "<>"
        case .less: return "<"
        case .lessOrEqual: return "<="
        case .greater: return ">"
        case .greaterOrEqual: return ">="
        }
    }
}

/// Units `date_trunc` takes.
enum TruncationUnit: String, Sendable {
    case second, minute, hour, day, week, month, quarter, year
}

/// Fields of a date or timestamp (`hour(x)`, `day_of_week(x)`, ...).
enum DateField: String, Sendable {
    case year, month, day, dayOfYear, hour, minute, second, dayOfWeek, quarter, week
}

/// Every scalar function and operator the engine computes, bound: arguments are in the form
/// the function expects (the binder inserted the conversions), constants are parsed.
enum BoundFunction: Sendable {
    // Logic (three-valued).
    case and, or, not, isNull, isNotNull
    /// A comparison of two values of one type (numbers widen; addresses under ordering
    /// comparisons compare as text).
    case compare(Comparison)
    /// `x [NOT] IN (constants)`, the constants in x's form.
    case inList([Value], negated: Bool)
    /// `x [NOT] LIKE pattern [ESCAPE e]`; the pattern is argument 1 (and the escape argument 2).
    case like(negated: Bool)
    // Arithmetic: integers checked for overflow, doubles IEEE.
    case add, subtract, multiply, divide, modulo, negate
    /// `a || b` and concat(): text.
    case concat
    // Conversions.
    /// Any value as Trino's varchar text (dates `YYYY-MM-DD`, addresses, booleans `true`).
    case toText
    case castToBigint(isTry: Bool)
    case castToDouble(isTry: Bool)
    case castToBoolean
    case castToIPAddress(isTry: Bool)
    case textToDate
    case dateToTimestamp
    case timestampToDate
    // Dates and times.
    case fromUnixtime, toUnixtime, toISO8601
    case dateTrunc(TruncationUnit)
    case dateField(DateField)
    /// `date_format(x, pattern)` with the pattern translated.
    case dateFormat([DateFormatPiece])
    /// A timestamp plus an interval (seconds, months).
    case shiftTimestamp(seconds: Int64, months: Int64)
    /// A date plus an interval in days and months.
    case shiftDate(days: Int64, months: Int64)
    /// `date_diff(unit, a, b)` for second/minute/hour/day/week: (b - a) / divisor seconds.
    case dateDiff(divisorSeconds: Int64)
    // Text.
    case lower, upper, length, trim, ltrim, rtrim
    case substr, splitPart, replace, strpos, startsWith
    case regexpLike
    case jsonExtractScalar
    // Conditionals.
    case coalesce, greatest, least, nullif
    // Numbers.
    case abs, round, roundTo, floor, ceil
    // Names for the numbers flow logs carry.
    case protocolName, trafficPathName, tcpFlagNames
    /// `contains(cidr, address)` with the block parsed.
    case cidrContains(CIDRBlock)
    /// `aws_service(address)` / `aws_region(address)`: the most specific range of AWS's list.
    case awsService(AWSIPRanges), awsRegion(AWSIPRanges)
    /// `addr_owner(address)`, bound with the flow's `start` as a second argument.
    case addressOwner(AddressOwners)
}

/// One piece of a `date_format` pattern.
enum DateFormatPiece: Sendable, Hashable {
    case literal(String)
    case year, month, day, hour, minute, second, dayOfYear, milliseconds
}
