import CoreMetrics
import Foundation
import Synchronization

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A call record with short defaults, for the usage tests.
func usageRecord(
    model: String = "m", config: String = "c", provider: String = "p", kind: ModelKind = .chat, prompt: Int = 0,
    completion: Int = 0, latency: Duration = .milliseconds(1), error: ModelError.Kind? = nil
) -> CallRecord {
    CallRecord(
        modelName: model, configName: config, provider: provider, kind: kind,
        usage: Usage(promptTokens: prompt, completionTokens: completion), latency: latency, error: error)
}

/// A fresh temporary directory for one usage test.
func usageTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("onesim-usage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A metrics factory that keeps every value reported, by label and dimensions, and counts how
/// many handlers it made (to prove the tracker caches its instruments).
final class UsageMetricsProbe: MetricsFactory {
    final class Handler: CounterHandler, RecorderHandler, TimerHandler {
        let values = Mutex<[Int64]>([])
        func increment(by amount: Int64) { values.withLock { $0.append(amount) } }
        func reset() { values.withLock { $0 = [] } }
        func record(_ value: Int64) { values.withLock { $0.append(value) } }
        func record(_ value: Double) { values.withLock { $0.append(Int64(value)) } }
        func recordNanoseconds(_ duration: Int64) { values.withLock { $0.append(duration) } }
    }

    private let handlers = Mutex<[String: Handler]>([:])
    private let made = Mutex<[String: Int]>([:])

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
    }

    private func handler(_ label: String, _ dimensions: [(String, String)]) -> Handler {
        let key = Self.key(label, dimensions)
        made.withLock { $0[key, default: 0] += 1 }
        return handlers.withLock { h in
            if let existing = h[key] { return existing }
            let new = Handler()
            h[key] = new
            return new
        }
    }

    /// Every value reported to `label` with exactly `dimensions` (in order).
    func values(_ label: String, _ dimensions: [(String, String)]) -> [Int64] {
        handlers.withLock { $0[Self.key(label, dimensions)] }?.values.withLock { $0 } ?? []
    }

    /// The sum of those values.
    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 { values(label, dimensions).reduce(0, +) }

    /// How many handlers were made for `label` with `dimensions`.
    func handlersMade(_ label: String, _ dimensions: [(String, String)]) -> Int {
        made.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { handler(label, dimensions) }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handler(label, dimensions)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { handler(label, dimensions) }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
