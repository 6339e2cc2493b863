public enum QueryParser {
    public static func parse(_ text: String) throws(QueryError) -> SelectStatement {
        throw QueryError(.syntax, "parser not yet here")
    }
}
