import Synchronization

/// Process-wide tracing options.
///
/// Spans are made with swift-distributed-tracing and cost next to nothing until the application
/// bootstraps a tracer (`InstrumentationSystem.bootstrap`). What they record is described in the
/// "Tracing" article.
public enum OneSimTracing {
    private static let contents = Atomic<Bool>(false)

    /// Whether model-call spans carry the message contents: `gen_ai.input.messages` (the
    /// prompt's messages, text parts only) and `gen_ai.output.messages` (the reply text).
    ///
    /// Off by default: prompts and replies may hold personal data, and they make spans large.
    /// Keys and auth headers are never recorded, whatever this says. Set it once at start-up,
    /// before calls are made; calls already in flight may not see a change.
    public static var recordsContents: Bool {
        get { contents.load(ordering: .relaxed) }
        set { contents.store(newValue, ordering: .relaxed) }
    }
}
