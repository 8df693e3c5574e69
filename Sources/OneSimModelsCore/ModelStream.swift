import NIOCore
import Synchronization

/// A streamed reply: deltas as they arrive, ending with an error if the stream broke.
///
/// Iterate it once, with `for try await delta in stream`. The library's streams are
/// backpressured: the task producing a stream (reading the provider's response) buffers at
/// most ``bufferedDeltas`` deltas ahead of the consumer and then waits, so a slow consumer (a
/// gateway client that reads slowly) slows the reading of the response instead of making the
/// process buffer the whole reply. Cancelling the consuming task, or dropping the stream or its
/// iterator, cancels the producer and its HTTP request.
///
/// Custom adapters make one from an `AsyncThrowingStream`: wrap one, build one with
/// `ModelStream { continuation in ... }`, or take a stream and its continuation from
/// ``makeStream()``; such streams keep that type's unbounded buffering.
public struct ModelStream: AsyncSequence, Sendable {
    public typealias Element = ModelDelta

    /// How many deltas a library stream's producer runs ahead of its consumer before it waits.
    public static let bufferedDeltas = 16

    typealias Produced = NIOThrowingAsyncSequenceProducer<
        ModelDelta, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, DemandGate
    >

    enum Backing: Sendable {
        case produced(Produced, DemandGate)
        case stream(AsyncThrowingStream<ModelDelta, any Error>)
    }

    let backing: Backing
    /// Set when the first iterator is made: a produced stream has exactly one consumer.
    private let claimed: IteratorClaim

    init(backing: Backing) {
        self.backing = backing
        claimed = IteratorClaim()
    }

    /// The deltas of `stream`, as they come (with `AsyncThrowingStream`'s unbounded buffer).
    public init(_ stream: AsyncThrowingStream<ModelDelta, any Error>) {
        self.init(backing: .stream(stream))
    }

    /// A stream whose deltas `build` yields through an `AsyncThrowingStream` continuation
    /// (`continuation.yield(delta)`, then `continuation.finish()` or `finish(throwing:)`).
    public init(_ build: (AsyncThrowingStream<ModelDelta, any Error>.Continuation) -> Void) {
        self.init(AsyncThrowingStream(ModelDelta.self, build))
    }

    /// A stream and the continuation that feeds it.
    public static func makeStream() -> (stream: ModelStream, continuation: AsyncThrowingStream<ModelDelta, any Error>.Continuation) {
        let (stream, continuation) = AsyncThrowingStream<ModelDelta, any Error>.makeStream()
        return (ModelStream(stream), continuation)
    }

    /// A backpressured stream fed by `produce`, which runs in a new task with a sink to send
    /// deltas into and the producer handle (to cancel itself, or see who cancelled it). The
    /// consumer cancelling its task, dropping the stream or its iterator, or ``cancel()``,
    /// cancels that task, whenever it happens.
    package static func producing(
        bufferedDeltas: Int = ModelStream.bufferedDeltas,
        _ produce: @escaping @Sendable (DeltaSink, StreamProducer) async -> Void
    ) -> ModelStream {
        let producer = StreamProducer()
        let gate = DemandGate(producer: producer)
        let high = Swift.max(bufferedDeltas, 1)
        let made = Produced.makeSequence(
            backPressureStrategy: .init(lowWatermark: high / 4, highWatermark: high),
            finishOnDeinit: true, delegate: gate)
        let sink = DeltaSink(source: made.source, gate: gate)
        producer.start(Task { await produce(sink, producer) })
        return ModelStream(backing: .produced(made.sequence, gate))
    }

    /// Cancels the producing task of a library stream (as the consumer leaving would): the
    /// stream then ends with a `.cancelled` error. No effect on streams made from an
    /// `AsyncThrowingStream`.
    package func cancel() {
        if case .produced(_, let gate) = backing { gate.producer.cancel() }
    }

    /// Whether the producer is waiting for the consumer to take buffered deltas (for tests).
    package var isWaitingForDemand: Bool {
        if case .produced(_, let gate) = backing { return gate.isWaiting }
        return false
    }

    public func makeAsyncIterator() -> AsyncIterator {
        switch backing {
        case .stream(let stream):
            return AsyncIterator(base: .stream(stream.makeAsyncIterator()), producer: nil)
        case .produced(let sequence, let gate):
            guard claimed.claim() else { return AsyncIterator(base: .alreadyIterated, producer: gate.producer) }
            return AsyncIterator(base: .produced(sequence.makeAsyncIterator()), producer: gate.producer)
        }
    }

    /// Iterates a ``ModelStream``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Base {
            case produced(Produced.AsyncIterator)
            case stream(AsyncThrowingStream<ModelDelta, any Error>.Iterator)
            case alreadyIterated
        }

        var base: Base
        /// The producer of a library stream, to cancel it from elsewhere.
        package let producer: StreamProducer?

        /// The next delta, `nil` at the end (or when the consuming task is cancelled); throws
        /// the error that broke the stream.
        public mutating func next() async throws -> ModelDelta? {
            switch base {
            case .produced(let iterator):
                // As with `AsyncThrowingStream`, a cancelled consumer sees the end (`nil`); it
                // checks `Task.isCancelled` to tell that from a complete reply.
                do { return try await iterator.next() } catch is CancellationError { return nil }
            case .stream(var iterator):
                defer { base = .stream(iterator) }
                return try await iterator.next()
            case .alreadyIterated:
                throw ModelError(.unsupported, "a model stream can be iterated only once")
            }
        }
    }
}

/// Marks a produced stream's single iterator as made.
final class IteratorClaim: Sendable {
    private let taken = Atomic(false)
    /// `true` for the first caller only.
    func claim() -> Bool { !taken.exchange(true, ordering: .relaxed) }
}
