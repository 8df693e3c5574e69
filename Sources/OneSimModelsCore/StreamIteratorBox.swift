/// Moves a stream iterator between tasks.
package final class StreamIteratorBox: @unchecked Sendable {
    // Safe: every user hands the box from one task to the next (`BlockingStream`'s turn lock
    // and semaphore, the first-delta hand-off in the balancer), so one task at a time touches
    // the iterator.
    private var iterator: ModelStream.AsyncIterator?
    package init(_ iterator: ModelStream.AsyncIterator?) { self.iterator = iterator }
    package func next() async throws -> ModelDelta? {
        guard iterator != nil else { return nil }
        return try await iterator!.next()
    }
}
