import OneSimModels

/// The kind of the `ParseError` that `body` throws, or `nil` when it does not throw one.
func thrownParseErrorKind(_ body: () throws -> Void) -> ParseError.Kind? {
    do {
        try body()
        return nil
    } catch let error as ParseError {
        return error.kind
    } catch {
        return nil
    }
}
