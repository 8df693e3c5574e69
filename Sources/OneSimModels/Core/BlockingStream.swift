import Foundation

/// A stream of deltas that synchronous code iterates with `for delta in stream`; each step
/// blocks the calling thread until the next delta arrives. Errors end the iteration and are
/// kept in `error`.
public final class BlockingStream: Sequence, IteratorProtocol, @unchecked Sendable {
    // Safe: the iterator is used by one synchronous caller at a time; the async side only
    // touches `box`, which hands results over through a semaphore.
    private let box: StreamIteratorBox
    /// The error that ended the stream, if any.
    public private(set) var error: (any Error)?
    private var finished = false

    init(_ stream: ModelStream) {
        box = StreamIteratorBox(stream.makeAsyncIterator())
    }

    /// The next delta, or `nil` at the end (or after an error, kept in `error`).
    public func next() -> ModelDelta? {
        guard !finished else { return nil }
        let box = box
        let result = Result { try SyncBridge.run { try await box.next() } }
        switch result {
        case .success(let delta?): return delta
        case .success(nil):
            finished = true
            return nil
        case .failure(let e):
            error = e
            finished = true
            return nil
        }
    }
}

/// Moves a stream iterator between tasks.
final class StreamIteratorBox: @unchecked Sendable {
    // Safe: every user hands the box from one task to the next (a semaphore in
    // `BlockingStream`, the first-delta hand-off in the balancer), so one task at a time
    // touches the iterator.
    private var iterator: ModelStream.AsyncIterator?
    init(_ iterator: ModelStream.AsyncIterator?) { self.iterator = iterator }
    func next() async throws -> ModelDelta? {
        guard iterator != nil else { return nil }
        return try await iterator!.next()
    }
}

extension ModelDelta {
    /// A single delta holding a whole response.
    public init(response: ModelResponse) {
        self.init(
            text: response.text ?? "",
            toolCalls: response.toolCalls.enumerated().map {
                ToolCallDelta(index: $0.offset, id: $0.element.id, name: $0.element.name, arguments: $0.element.arguments)
            }, finishReason: response.finishReason, usage: response.usage, modelInfo: response.modelInfo)
    }
}
