import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An OpenAI-compatible model server for tests, demos and benchmarks.
///
/// It binds to 127.0.0.1 (port 0 picks a free port) and serves `/v1/chat/completions`
/// (echoes the last user message, or scripted replies), `/v1/embeddings` (deterministic unit
/// vectors) and `/v1/models`. Usage counts words as tokens. Every request is recorded; faults
/// (error statuses with OpenAI error bodies, `Retry-After`, latency, dropped connections,
/// malformed JSON) can be scripted per request or played at a seeded random rate.
public final class Simulator: Sendable {
    /// How a simulator binds, answers and misbehaves; fixed once the simulator is created.
    public struct Configuration: Sendable {
        /// Address to bind (default 127.0.0.1).
        public var host: String
        /// Port; 0 picks a free one.
        public var port: Int
        /// Embedding dimensions unless a request asks for `dimensions`.
        public var embeddingDimensions: Int
        /// Model ids listed by `/v1/models`.
        public var models: [String]
        /// When set, requests must carry `Authorization: Bearer <key>` or get a 401.
        public var requiredAPIKey: String?
        /// Added to every request before answering.
        public var latency: Duration
        /// Keep request bodies for assertions (turn off for long benchmarks).
        public var recordRequests: Bool
        /// Bytes per network write of a streamed reply (1 splits inside UTF-8 characters);
        /// `nil` writes each event whole.
        public var streamChunkBytes: Int?
        /// Pause between the network writes of a streamed reply.
        public var streamChunkDelay: Duration
        /// Fleet server mode (off when nil): chat requests are played by a vLLM-like server
        /// model (slots, queue, prefix cache, batch-dependent speed) and answered when it
        /// finishes them; `GET /metrics` serves its load in vLLM's metric names. See
        /// ``FleetServerConfig``.
        public var fleetServer: FleetServerConfig?
        /// The `model_name` label of the fleet server's metrics.
        public var fleetModelName: String

        /// Settings with the given values.
        public init(
            host: String = "127.0.0.1", port: Int = 0, embeddingDimensions: Int = 8,
            models: [String] = ["sim-chat", "sim-embedding"], requiredAPIKey: String? = nil, latency: Duration = .zero,
            recordRequests: Bool = true, streamChunkBytes: Int? = nil, streamChunkDelay: Duration = .zero,
            fleetServer: FleetServerConfig? = nil, fleetModelName: String = "sim"
        ) {
            self.fleetServer = fleetServer
            self.fleetModelName = fleetModelName
            self.streamChunkBytes = streamChunkBytes
            self.streamChunkDelay = streamChunkDelay
            self.host = host
            self.port = port
            self.embeddingDimensions = embeddingDimensions
            self.models = models
            self.requiredAPIKey = requiredAPIKey
            self.latency = latency
            self.recordRequests = recordRequests
        }
    }

    struct State {
        var script: [SimulatorAction] = []
        var scriptIndex = 0
        var faultRate: SimulatorFaultRate?
        var rng = SplitMix64(seed: 42)
        var requests: [RecordedRequest] = []
        var requestCount = 0
        var inFlight = 0
        var peakInFlight = 0
        var servedTokens = 0
        var faultsPlayed = 0
        var streamsAborted = 0
        var stalls = 0
    }

    let state = Mutex(State())
    /// The settings the simulator was created with (they never change while it runs).
    public let configuration: Configuration
    private let runner = Mutex<(task: Task<Void, any Error>?, group: ServiceGroup?, port: Int?)>((nil, nil, nil))
    private let stopping = Mutex(false)

    /// The fleet server model's shell, in fleet server mode.
    let fleet: FleetServerRuntime?
    private let fleetProblem: FleetConfigError?

    /// A simulator (not yet started). An invalid `fleetServer` config makes ``start()`` throw
    /// a ``FleetConfigError``.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        if let server = configuration.fleetServer {
            do throws(FleetConfigError) {
                fleet = try FleetServerRuntime(config: server)
                fleetProblem = nil
            } catch {
                fleet = nil
                fleetProblem = error
            }
        } else {
            fleet = nil
            fleetProblem = nil
        }
    }

    /// The bound port, once started.
    public var port: Int {
        guard let port = runner.withLock({ $0.port }) else { preconditionFailure("Simulator.start() was not called") }
        return port
    }

    /// `http://127.0.0.1:<port>/v1`, the `base_url` to configure.
    public var baseURL: String { "http://\(configuration.host):\(port)/v1" }

    /// Starts serving and returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        if let fleetProblem { throw fleetProblem }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        let handlers = SimulatorHandlers(simulator: self)
        handlers.register(on: router)
        var logger = Logger(label: "onesim.simulator")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "onesim-simulator",
                backlog: 4096),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        // Run inside our own service group so `stop()` can shut down gracefully: in-flight
        // requests finish (their scripted waits end early) before connections close.
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { try await group.run() }
        var port: Int?
        for await p in stream { port = p }
        guard let port, port > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw SimulatorError.couldNotBind(configuration.host, configuration.port)
        }
        runner.withLock { $0 = (task, group, port) }
        return port
    }

    /// Stops serving gracefully and waits until the server is down.
    public func stop() async {
        stopping.withLock { $0 = true }
        peers.withLock { $0 = [] }
        fleet?.shutdown()
        let (task, group) = runner.withLock { ($0.task, $0.group) }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    /// Whether `stop()` has been called.
    var isStopping: Bool { stopping.withLock { $0 } }

    /// Sleeps for `duration`, ending early when the simulator stops.
    func sleep(_ duration: Duration) async throws {
        let end = ContinuousClock.now + duration
        while !isStopping {
            let left = end - ContinuousClock.now
            if left <= .zero { return }
            try await Task.sleep(for: min(left, .milliseconds(20)))
        }
    }

    /// Waits until the simulator stops (a stalled response), counting the stall.
    func stall() async throws {
        state.withLock { $0.stalls += 1 }
        while !isStopping { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// Responses that stalled (`SimulatorFault.stallBody`) so far.
    public var stalls: Int { state.withLock { $0.stalls } }

    /// Runs until the task is cancelled (for `onesim-models serve-mock`).
    public func runUntilCancelled() async throws {
        let task = runner.withLock { $0.task }
        try await withTaskCancellationHandler {
            _ = try await task?.value
        } onCancel: {
            task?.cancel()
        }
    }

    // MARK: Scripting and inspection

    /// Appends actions played by the next requests, in order; after them requests are normal.
    public func enqueue(_ actions: [SimulatorAction]) {
        state.withLock { $0.script.append(contentsOf: actions) }
    }

    /// Appends actions played by the next requests, in order.
    public func enqueue(_ actions: SimulatorAction...) { enqueue(actions) }

    /// Plays `fault` on a share of requests (seeded, repeatable); `nil` turns it off.
    public func setFaultRate(_ rate: SimulatorFaultRate?, seed: UInt64 = 42) {
        state.withLock {
            $0.faultRate = rate
            $0.rng = SplitMix64(seed: seed)
        }
    }

    /// Every request received so far (when `recordRequests` is on).
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }
    /// How many requests arrived.
    public var requestCount: Int { state.withLock { $0.requestCount } }
    /// The most requests handled at the same moment.
    public var peakInFlight: Int { state.withLock { $0.peakInFlight } }
    /// Tokens (prompt plus completion) reported in successful responses.
    public var servedTokens: Int { state.withLock { $0.servedTokens } }
    /// Streams whose client went away before the stream ended.
    public var streamsAborted: Int { state.withLock { $0.streamsAborted } }
    /// Requests being handled right now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    func streamAborted() { state.withLock { $0.streamsAborted += 1 } }

    /// How many scripted or random faults were played.
    public var faultsPlayed: Int { state.withLock { $0.faultsPlayed } }

    /// The fleet server's Prometheus text (vLLM names), or nil when fleet mode is off.
    package func fleetMetricsText() -> String? { fleet?.metricsText(modelName: configuration.fleetModelName) }

    /// A copy of the fleet server's model (nil when fleet mode is off), for tests and reports.
    package var fleetModel: FleetServerModel? { fleet?.model }

    /// The fleet server's counters now (nil when fleet mode is off), for the dashboard.
    package func fleetStatus() -> FleetServerStatus? { fleet?.status() }

    /// The fleet servers this one's dashboard shows (empty: itself only); `stop()` forgets them.
    private let peers = Mutex<[Simulator]>([])

    /// Makes this fleet server's `GET /dashboard` show `servers` (its whole fleet, itself
    /// included), as `serve-mock --fleet` does for its first server.
    package func showOnDashboard(_ servers: [Simulator]) {
        peers.withLock { $0 = servers.filter { $0.configuration.fleetServer != nil } }
    }

    var dashboardPeers: [Simulator] { peers.withLock { $0 } }

    /// Forgets recorded requests, counters and scripts.
    public func reset() {
        state.withLock { $0 = State() }
    }

    /// Records a request's arrival and decides its action.
    func begin(_ request: RecordedRequest) -> SimulatorAction {
        state.withLock { s in
            s.requestCount += 1
            s.inFlight += 1
            s.peakInFlight = max(s.peakInFlight, s.inFlight)
            if configuration.recordRequests { s.requests.append(request) }
            var action = SimulatorAction.normal
            if s.scriptIndex < s.script.count {
                action = s.script[s.scriptIndex]
                s.scriptIndex += 1
            } else if let rate = s.faultRate, s.rng.nextDouble() < rate.rate {
                action = .fail(rate.fault)
            }
            if action.fault != nil { s.faultsPlayed += 1 }
            return action
        }
    }

    /// Marks a request finished.
    func end(tokens: Int) {
        state.withLock { s in
            s.inFlight -= 1
            s.servedTokens += tokens
        }
    }
}
