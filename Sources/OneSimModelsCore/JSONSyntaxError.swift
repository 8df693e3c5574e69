/// A JSON syntax error with the position where parsing stopped.
package struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, e.g. `"expected ',' or '}' after object member"`.
    package var message: String
    /// Zero-based byte offset into the input.
    package var offset: Int
    /// One-based line number.
    package var line: Int
    /// One-based column (in bytes) within the line.
    package var column: Int

    /// `"line 3, column 7: expected ..."`.
    package var description: String { "line \(line), column \(column): \(message)" }
}
