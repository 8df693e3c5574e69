import Foundation
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// `BlockingStream` shared between threads: every delta goes to exactly one caller, the end
/// and the error are seen by all, nothing races.
@Suite("Blocking stream from several threads", .timeLimit(.minutes(2)))
struct BlockingStreamTests {
    /// Runs `body` on `count` threads at once and waits (without blocking the async caller)
    /// until all of them returned.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for index in 0..<count {
                group.enter()
                Thread {
                    body(index)
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { done.resume() }
        }
    }

    @Test func everyDeltaGoesToExactlyOneThread() async throws {
        let total = 2_000
        let (stream, continuation) = ModelStream.makeStream()
        let blocking = BlockingStream(stream)
        let seen = Mutex<[[String]]>(Array(repeating: [], count: 4))
        let endsSticky = Mutex(0)
        let producer = Task {
            for i in 0..<total {
                continuation.yield(ModelDelta(text: "\(i)"))
                if i % 100 == 0 { await Task.yield() }
            }
            continuation.finish()
        }
        await onThreads(4) { index in
            var mine: [String] = []
            while let delta = blocking.next() {
                mine.append(delta.text)
                _ = blocking.error
            }
            if blocking.next() == nil { endsSticky.withLock { $0 += 1 } }
            seen.withLock { $0[index] = mine }
        }
        await producer.value
        let all = seen.withLock { $0.flatMap { $0 } }
        #expect(all.count == total)
        #expect(Set(all) == Set((0..<total).map { "\($0)" }))
        #expect(blocking.error == nil)
        #expect(endsSticky.withLock { $0 } == 4)
    }

    @Test func theErrorIsSeenByEveryThread() async throws {
        let (stream, continuation) = ModelStream.makeStream()
        let blocking = BlockingStream(stream)
        for i in 0..<50 { continuation.yield(ModelDelta(text: "\(i)")) }
        continuation.finish(throwing: ModelError(.serverError, "broke"))
        let counts = Mutex(0)
        let sawError = Mutex(0)
        await onThreads(4) { _ in
            var count = 0
            while blocking.next() != nil { count += 1 }
            if (blocking.error as? ModelError)?.kind == .serverError { sawError.withLock { $0 += 1 } }
            counts.withLock { $0 += count }
        }
        #expect(counts.withLock { $0 } == 50)
        #expect(sawError.withLock { $0 } == 4)
    }
}
