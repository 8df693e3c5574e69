import Logging
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A log handler that keeps every message.
struct UsageLogCapture: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    let box: Box

    final class Box: Sendable {
        let lines = Mutex<[String]>([])
    }

    init(_ box: Box) { self.box = box }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        box.lines.withLock { $0.append("\(event.level): \(event.message)") }
    }
}

@Suite("Token usage log")
struct UsageLogTests {
    @Test func logsTotalsModelsCostAndUnpricedModels() {
        let box = UsageLogCapture.Box()
        let logger = Logger(label: "test") { _ in UsageLogCapture(box) }
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 1000, completion: 1000))
        tracker.record(usageRecord(model: "qwen-local", config: "v", provider: "vllm", prompt: 7, completion: 3))
        tracker.log(to: logger)
        let lines = box.lines.withLock { $0 }
        #expect(lines.first?.hasPrefix("info: token usage: 2010 tokens (1007 prompt, 1003 completion) in 2 requests, 0 errors") == true)
        #expect(lines.contains("info:   gpt-4o: 2000 tokens (1000 prompt, 1000 completion) in 1 requests"))
        #expect(lines.contains("info:   qwen-local: 10 tokens (7 prompt, 3 completion) in 1 requests"))
        #expect(lines.contains("info:   estimated cost: $0.0125"))
        #expect(lines.contains("info:   unpriced models: qwen-local"))
    }

    @Test func noCostLineWhenNothingIsPriced() {
        let box = UsageLogCapture.Box()
        let logger = Logger(label: "test") { _ in UsageLogCapture(box) }
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(model: "local", prompt: 5))
        tracker.log(to: logger, prices: .empty)
        let lines = box.lines.withLock { $0 }
        #expect(!lines.contains { $0.contains("estimated cost") })
        #expect(lines.contains("info:   unpriced models: local"))
    }
}
