import FlowQuery

/// The query language's expression, by its short name in this module: Foundation, which
/// emitter files import too, declares an `Expression` of its own, and a name declared in the
/// module is found before either import's.
typealias Expression = FlowQuery.Expression
