import OneSimModels

import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// An OpenAI-compatible HTTP gateway in front of a `ModelManager`: what `onesim-models serve`
/// runs.
///
/// Clients in any language send OpenAI requests (`/v1/chat/completions`, `/v1/embeddings`,
/// `/v1/models`) and get OpenAI answers, whatever provider serves them; the model name picks a
/// config, a balancer, or the balancer over every config with that `model_name`, so every
/// client shares the balancers' routing, limits, budgets and usage accounting.
///
/// ```swift
/// let gateway = try Gateway(manager: manager, configuration: .init(port: 0))
/// let port = try await gateway.start()
/// // ... clients call http://127.0.0.1:\(port)/v1 ...
/// await gateway.stop()
/// ```
public final class Gateway: Sendable {
    /// The registry whose models the gateway serves.
    public let manager: ModelManager
    /// How it listens.
    public let configuration: Configuration
    let keys: KeyStore
    let watcher = DisconnectWatcher()
    let metrics: GatewayMetrics
    let accessLogger: Logger
    let prices: PriceTable
    private let runner = Mutex<(task: Task<Void, any Error>?, group: ServiceGroup?, port: Int)>((nil, nil, 0))

    /// A gateway over `manager`; checks the configuration (a non-loopback address needs keys).
    public init(manager: ModelManager, configuration: Configuration = Configuration()) throws(ModelError) {
        try configuration.validate()
        self.manager = manager
        self.configuration = configuration
        keys = KeyStore(configuration.keys)
        metrics = GatewayMetrics(registry: configuration.metrics)
        accessLogger = configuration.accessLogger
        prices = manager.effectivePrices()
    }

    /// The bound port (0 before `start()`).
    public var port: Int { runner.withLock { $0.port } }

    /// The application serving the routes, reporting its bound port to `onServerRunning`.
    func makeApplication(onServerRunning: @escaping @Sendable (Int) -> Void) -> some Service {
        let routes = GatewayRoutes(gateway: self)
        var serverLogger = configuration.logger
        serverLogger.logLevel = max(serverLogger.logLevel, .notice)
        return Application(
            responder: CallbackResponder<GatewayContext> { request, context in await routes.respond(request, context) },
            server: .pinnedHTTP1(
                configuration: .init(
                    additionalChannelHandlers: [DisconnectHandler(watcher: self.watcher)],
                    idleTimeout: configuration.idleTimeout.timeAmount)),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "onesim-gateway", backlog: 4096),
            onServerRunning: { channel in onServerRunning(channel.localAddress?.port ?? 0) },
            logger: serverLogger)
    }

    /// Starts serving in the background and returns the bound port. `stop()` ends it.
    @discardableResult
    public func start() async throws -> Int {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication { port in
            continuation.yield(port)
            continuation.finish()
        }
        var groupConfiguration = ServiceGroupConfiguration(services: [app], logger: configuration.logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.drainTimeout
        let group = ServiceGroup(configuration: groupConfiguration)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound: Int?
        for await p in stream { bound = p }
        guard let bound, bound > 0 else {
            await group.triggerGracefulShutdown()
            let failure: (any Error)?
            do { try await task.value; failure = nil } catch { failure = error }
            throw ModelError(
                .configuration, "gateway: could not listen on \(configuration.host):\(configuration.port)\(failure.map { " (\($0))" } ?? "")")
        }
        runner.withLock { $0 = (task, group, bound) }
        configuration.logger.info("gateway listening on http://\(configuration.host):\(bound)/v1")
        return bound
    }

    /// Stops accepting connections, lets calls in flight finish (at most `drainTimeout`), and
    /// returns when the server is down.
    public func stop() async {
        let (task, group) = runner.withLock { ($0.task, $0.group) }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }

    /// Serves until SIGTERM or SIGINT, then drains (at most `drainTimeout`) and returns.
    public func run() async throws {
        let configuration = self.configuration
        let app = makeApplication { port in
            configuration.logger.notice(
                "gateway listening on http://\(configuration.host):\(port)/v1 (dashboard: http://\(configuration.host):\(port)/dashboard)")
        }
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: configuration.logger)
        groupConfiguration.maximumGracefulShutdownDuration = configuration.drainTimeout
        try await ServiceGroup(configuration: groupConfiguration).run()
    }
}
