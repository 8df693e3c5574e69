/// Moves a stream iterator between tasks.
package final class StreamIteratorBox: @unchecked Sendable {
    // Safe: every user hands the box from one task to the next (`BlockingStream`'s turn lock
    // and semaphore, the first-delta hand-off in the balancer), so one task at a time touches
    // the iterator; `producer` is immutable and `Sendable`.
    private var iterator: ModelStream.AsyncIterator?
    private let producer: StreamProducer?

    package init(_ iterator: ModelStream.AsyncIterator?) {
        self.iterator = iterator
        producer = iterator?.producer
    }

    package func next() async throws -> ModelDelta? {
        guard var current = iterator else { return nil }
        defer { iterator = current }
        return try await current.next()
    }

    /// Cancels the stream's producer from any task (a client that went away): a consumer
    /// waiting in `next()` then gets the stream's end (a `.cancelled` error) instead of
    /// waiting for the next delta.
    package func cancel() {
        producer?.cancel()
    }
}
