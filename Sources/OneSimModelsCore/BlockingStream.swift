import Foundation
import Synchronization

/// A stream of deltas that synchronous code iterates with `for delta in stream`; each step
/// blocks the calling thread until the next delta arrives. Errors end the iteration and are
/// kept in `error`.
///
/// It may be shared between threads: steps are taken one at a time (a thread calling `next()`
/// while another is waiting blocks until that one has its delta), every delta goes to exactly
/// one caller, and `error` can be read from any thread.
public final class BlockingStream: Sequence, IteratorProtocol, Sendable {
    private struct State {
        var error: (any Error)?
        var finished = false
    }

    private let box: StreamIteratorBox
    private let state = Mutex(State())
    /// Held for a whole step, so one thread at a time waits on the async iterator.
    private let turn = Mutex(())

    init(_ stream: ModelStream) {
        box = StreamIteratorBox(stream.makeAsyncIterator())
    }

    /// The error that ended the stream, if any.
    public var error: (any Error)? { state.withLock { $0.error } }

    /// The next delta, or `nil` at the end (or after an error, kept in `error`).
    public func next() -> ModelDelta? {
        turn.withLock { _ in
            guard !state.withLock({ $0.finished }) else { return nil }
            let box = box
            let result = Result { try SyncBridge.run { try await box.next() } }
            return state.withLock { s in
                switch result {
                case .success(let delta?):
                    return delta
                case .success(nil):
                    s.finished = true
                    return nil
                case .failure(let e):
                    s.error = e
                    s.finished = true
                    return nil
                }
            }
        }
    }
}

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

extension ModelDelta {
    /// A single delta holding a whole response.
    package init(response: ModelResponse) {
        self.init(
            text: response.text ?? "",
            toolCalls: response.toolCalls.enumerated().map {
                ToolCallDelta(index: $0.offset, id: $0.element.id, name: $0.element.name, arguments: $0.element.arguments)
            }, finishReason: response.finishReason, usage: response.usage, modelInfo: response.modelInfo)
    }
}
