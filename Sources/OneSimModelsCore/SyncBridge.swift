import Foundation

/// Runs async work to completion from synchronous code.
enum SyncBridge {
    static func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let semaphore = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await work())) } catch { box.set(.failure(error)) }
            semaphore.signal()
        }
        semaphore.wait()
        return try box.get()
    }
}

/// A result written by one thread and read by another after a semaphore hand-off.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // Safe: written once before `semaphore.signal()`, read once after `semaphore.wait()`;
    // the semaphore orders the two accesses.
    private var result: Result<T, any Error>?
    func set(_ r: Result<T, any Error>) { result = r }
    func get() throws -> T { try result!.get() }
}
