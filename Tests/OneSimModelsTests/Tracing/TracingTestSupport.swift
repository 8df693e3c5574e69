import Foundation
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// The test process's one tracer, bootstrapped on first use.
///
/// It records spans only inside a test's own trace (`TestTracing.trace`): a span whose parent
/// context has no in-memory span context is a no-op span, so calls made by other suites record
/// nothing and send no trace headers. As an instrument it propagates W3C `traceparent`
/// (`00-<trace id>-<span id>-01`), as swift-otel's propagator does, so the tests see the header
/// the way an OpenTelemetry backend would.
enum TestTracing {
    static let memory: InMemoryTracer = {
        let memory = InMemoryTracer(
            idGenerator: .init(nextTraceID: { randomHex(bytes: 16) }, nextSpanID: { randomHex(bytes: 8) }),
            recordInjections: false, recordExtractions: false)
        InstrumentationSystem.bootstrap(ScopedTracer(memory: memory))
        return memory
    }()

    /// The name of the root span each traced test runs under.
    static let rootName = "test root"

    /// Runs `body` under a new root span; returns the trace id of everything it did.
    static func trace(_ body: () async throws -> Void) async throws -> String {
        let root = memory.startSpan(rootName, context: .topLevel, ofKind: .internal)
        defer { root.end() }
        try await ServiceContext.withValue(root.context) { try await body() }
        return root.traceID
    }

    /// The finished spans of trace `id` (the root left out).
    static func spans(in id: String) -> [FinishedInMemorySpan] {
        memory.finishedSpans.filter { $0.traceID == id && $0.operationName != rootName }
    }

    /// Waits until trace `id` has `count` finished spans (spans of streams end as the stream
    /// ends, which may be just after the caller saw its last delta), then returns them.
    static func spans(in id: String, count: Int) async throws -> [FinishedInMemorySpan] {
        try await waitUntil("\(count) spans in trace \(id)") { spans(in: id).count >= count }
        return spans(in: id)
    }

    /// The root span's id of trace `id`.
    static func rootSpanID(of id: String) -> String? {
        memory.finishedSpans.first { $0.traceID == id && $0.operationName == rootName }?.spanID
    }

    static func randomHex(bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
}

extension FinishedInMemorySpan {
    /// A string attribute's value.
    func string(_ key: String) -> String? {
        if case .string(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// An integer attribute's value.
    func int(_ key: String) -> Int64? {
        if case .int64(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// A number attribute's value.
    func double(_ key: String) -> Double? {
        if case .double(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// A boolean attribute's value.
    func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// A string-array attribute's value.
    func strings(_ key: String) -> [String]? {
        if case .stringArray(let value)? = attributes.get(key) { return value }
        return nil
    }

    /// Every attribute and event attribute, rendered as text (to look for secrets).
    var renderedAttributes: String {
        var text = operationName
        attributes.forEach { key, value in text += "\n\(key)=\(value)" }
        for event in events {
            text += "\n" + event.name
            event.attributes.forEach { key, value in text += "\n\(key)=\(value)" }
        }
        for error in errors { text += "\n\(error.error)" }
        return text
    }
}

/// A tracer that records into `memory` only under a span of `memory`, and propagates
/// `traceparent`.
struct ScopedTracer: Tracer {
    let memory: InMemoryTracer

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> ScopedSpan {
        let context = context()
        guard context.inMemorySpanContext != nil else { return ScopedSpan(inner: nil, fallback: NoOpTracer.NoOpSpan(context: context)) }
        let span = memory.startSpan(
            operationName, context: context, ofKind: kind, at: instant(), function: function, file: fileID, line: line)
        return ScopedSpan(inner: span, fallback: NoOpTracer.NoOpSpan(context: context))
    }

    func activeSpan(identifiedBy context: ServiceContext) -> ScopedSpan? { nil }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16 else { return }
        context.inMemorySpanContext = InMemorySpanContext(traceID: String(parts[1]), spanID: String(parts[2]), parentSpanID: nil)
    }
}

/// An in-memory span, or a no-op span outside a test's trace.
struct ScopedSpan: Tracing.Span {
    let inner: InMemorySpan?
    let fallback: NoOpTracer.NoOpSpan

    var context: ServiceContext { inner?.context ?? fallback.context }
    var operationName: String {
        get { inner?.operationName ?? fallback.operationName }
        nonmutating set { if let inner { inner.operationName = newValue } }
    }
    var attributes: SpanAttributes {
        get { inner?.attributes ?? [:] }
        nonmutating set { if let inner { inner.attributes = newValue } }
    }
    var isRecording: Bool { inner?.isRecording ?? false }
    func setStatus(_ status: SpanStatus) { inner?.setStatus(status) }
    func addEvent(_ event: SpanEvent) { inner?.addEvent(event) }
    func addLink(_ link: SpanLink) { inner?.addLink(link) }
    func recordError<Instant: TracerInstant>(_ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        inner?.recordError(error, attributes: attributes, at: instant())
    }
    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) { inner?.end(at: instant()) }
}
