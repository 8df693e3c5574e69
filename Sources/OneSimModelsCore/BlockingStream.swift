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
