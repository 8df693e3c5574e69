import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A clock that moves only when a test calls `advance(by:)`.
final class RoutingTestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        let deadline: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Duration = .zero
        var sleepers: [UInt64: Sleeper] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    var now: Instant { Instant(offset: state.withLock { $0.now }) }
    var minimumResolution: Duration { .nanoseconds(1) }

    /// Time since the clock was made.
    var elapsed: Duration { state.withLock { $0.now } }

    /// Tasks sleeping on this clock now.
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case wait, resume, cancel }
                let action = state.withLock { s -> Action in
                    if Task.isCancelled { return .cancel }
                    if deadline.offset <= s.now { return .resume }
                    s.sleepers[id] = Sleeper(deadline: deadline.offset, continuation: continuation)
                    return .wait
                }
                switch action {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now += duration
            let due = s.sleepers.filter { $0.value.deadline <= s.now }
            for key in due.keys { s.sleepers.removeValue(forKey: key) }
            return Array(due.values)
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}

/// A scripted in-memory model: replies, fails, hangs or sleeps as told; records its calls and
/// its peak concurrency.
final class ScriptedMember: ModelAdapter {
    enum Step: Sendable {
        /// Reply at once.
        case reply(Usage = Usage(promptTokens: 10, completionTokens: 5))
        /// Throw this error.
        case fail(ModelError)
        /// Wait until `releaseHung()` or cancellation.
        case hang
        /// Sleep this long (real time), then reply.
        case delay(Duration)
    }

    private struct State {
        var calls = 0
        var inFlight = 0
        var peak = 0
        var prompts: [String] = []
        var maxRetriesSeen: [Int?] = []
        var hung: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextHang: UInt64 = 0
        var script: [Step] = []
        var behavior: @Sendable (Int) -> Step
    }

    let configName: String
    let kind: ModelKind
    private let state: Mutex<State>

    /// A model answering every call with `behavior(callNumber)` (0-based) once `script` is used up.
    init(_ name: String, kind: ModelKind = .chat, script: [Step] = [], behavior: @escaping @Sendable (Int) -> Step = { _ in .reply() }) {
        configName = name
        self.kind = kind
        state = Mutex(State(script: script, behavior: behavior))
    }

    /// A model that always does `step`.
    convenience init(_ name: String, kind: ModelKind = .chat, always step: Step) {
        self.init(name, kind: kind) { _ in step }
    }

    var calls: Int { state.withLock { $0.calls } }
    var inFlight: Int { state.withLock { $0.inFlight } }
    var peak: Int { state.withLock { $0.peak } }
    var prompts: [String] { state.withLock { $0.prompts } }
    /// The `maxRetries` of every call's options.
    var maxRetriesSeen: [Int?] { state.withLock { $0.maxRetriesSeen } }
    var hungCount: Int { state.withLock { $0.hung.count } }

    /// From now on, answer with `step`.
    func setAlways(_ step: Step) {
        state.withLock { $0.script = []; $0.behavior = { _ in step } }
    }

    /// Lets every hung call reply.
    func releaseHung() {
        let hung = state.withLock { s in
            defer { s.hung = [:] }
            return Array(s.hung.values)
        }
        for continuation in hung { continuation.resume() }
    }

    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        try await serve(prompt.messages.first?.text ?? "", options)
    }

    func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        var response = try await serve(texts.first ?? "", options)
        response.embeddings = texts.map { [Float($0.count)] }
        return response
    }

    private func serve(_ text: String, _ options: CallOptions) async throws -> ModelResponse {
        let step = state.withLock { s -> Step in
            s.maxRetriesSeen.append(options.maxRetries)
            let n = s.calls
            s.calls += 1
            s.inFlight += 1
            s.peak = max(s.peak, s.inFlight)
            s.prompts.append(text)
            return s.script.isEmpty ? s.behavior(n) : s.script.removeFirst()
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        var usage = Usage(promptTokens: 10, completionTokens: 5)
        switch step {
        case .reply(let u):
            usage = u
        case .fail(let error):
            throw error
        case .delay(let duration):
            try await Task.sleep(for: duration)
        case .hang:
            let id = state.withLock { s in
                s.nextHang += 1
                return s.nextHang
            }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let cancelled = state.withLock { s -> Bool in
                        if Task.isCancelled { return true }
                        s.hung[id] = continuation
                        return false
                    }
                    if cancelled { continuation.resume(throwing: CancellationError()) }
                }
            } onCancel: {
                let continuation = state.withLock { $0.hung.removeValue(forKey: id) }
                continuation?.resume(throwing: CancellationError())
            }
        }
        return ModelResponse(
            text: "\(configName): \(text)", usage: usage,
            modelInfo: ModelInfo(modelName: "fake-\(configName)", configName: configName, provider: "fake"))
    }
}

/// Errors as providers report them.
enum MemberFailure {
    static func status(_ status: Int, retryAfter: Duration? = nil) -> ModelError {
        ModelError(ModelError.kind(forStatus: status), "HTTP \(status)", status: status, retryAfter: retryAfter)
    }
    static let connection = ModelError(.connectionFailed, "connection refused")
    static let contextLength = ModelError(
        .contextLengthExceeded, "too long", status: 400, providerCode: "context_length_exceeded")
}

/// Members with default settings.
func fakeMembers(_ models: ScriptedMember...) -> [BalancerMember] {
    models.map { BalancerMember(adapter: $0) }
}

/// Waits (yielding, then briefly sleeping) until `condition` holds; false after ~5 s.
func settles(_ condition: () -> Bool) async -> Bool {
    for i in 0..<5_000 {
        if condition() { return true }
        if i < 100 { await Task.yield() } else { try? await Task.sleep(for: .milliseconds(1)) }
    }
    return condition()
}

/// The member that served `response`.
func servedBy(_ response: ModelResponse) -> String { response.modelInfo.member ?? "?" }

/// A core over members `m0`, `m1`, ... with `deployments`, at time zero, seeded.
func core(_ deployments: [DeploymentSettings], settings: BalancerSettings = .init(strategy: .roundRobin)) -> BalancerCore {
    BalancerCore(names: deployments.indices.map { "m\($0)" }, deployments: deployments, settings: settings, now: .zero, seed: 1)
}

/// The grant of a decision made at once, if it was one.
func grant(_ decision: AdmissionDecision) -> Grant? {
    if case .done(.granted(let g)) = decision { return g }
    return nil
}

/// A one-member balancer `name` over `model`, whose deployment (`max_concurrency` 1) is limited
/// by the shared `limiter`, on the test's `clock`.
func sharedBalancer(_ name: String, over model: ScriptedMember, limiter: DeploymentLimiter, clock: RoutingTestClock) -> LoadBalancer {
    LoadBalancer(
        configName: name, kind: .chat,
        members: [BalancerMember(adapter: model, deployment: DeploymentSettings(maxConcurrency: 1))],
        settings: BalancerSettings(), fallbacks: [], modelName: nil, balancerClock: BalancerClock(clock),
        metricsFactory: nil, randomSeed: 1, budget: nil, limiters: [limiter])
}
