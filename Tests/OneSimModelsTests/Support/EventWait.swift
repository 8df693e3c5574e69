import Testing

/// Waits (bounded, for an event, never for a duration) until `condition` holds.
func waitUntil(_ what: Comment, _ condition: () -> Bool) async throws {
    for _ in 0..<6_000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("gave up waiting: \(what)")
}
