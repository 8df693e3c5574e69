import Foundation
import Hummingbird
import Logging
import NIOCore
import OneSimModelsDashboard
import ServiceLifecycle
import Synchronization

/// The dashboard of simulated fleet servers (`serve-mock --fleet`): a small HTTP server of its
/// own on 127.0.0.1 serving the shared page at `GET /dashboard` and, at
/// `GET /dashboard/stats`, one row per server: running and waiting requests against its
/// slots, requests/s, prefix-cache hit rate and KV-cache use.
///
/// The servers are separate simulators on their own ports; this one reads them in process.
/// It needs no key (the simulator is a local test tool and its numbers hold nothing secret).
package final class FleetDashboard: Sendable {
    let servers: [Simulator]
    let host: String
    let requestedPort: Int
    private let runner = Mutex<(task: Task<Void, any Error>?, group: ServiceGroup?, port: Int)>((nil, nil, 0))

    /// A dashboard over `servers` (fleet-mode simulators; others are left out), to listen on
    /// `host`:`port` (0 picks a free port).
    package init(servers: [Simulator], host: String = "127.0.0.1", port: Int = 0) {
        self.servers = servers.filter { $0.configuration.fleetServer != nil }
        self.host = host
        requestedPort = port
    }

    /// The bound port (0 before `start()`).
    package var port: Int { runner.withLock { $0.port } }

    /// The stats document now.
    package func document() -> DashboardDocument {
        Self.document(servers.compactMap { s in s.fleetStatus().map { (s.configuration.fleetServer?.name ?? "?", s.requestCount, $0) } })
    }

    /// The document for servers given as (name, requests received, status).
    package static func document(_ servers: [(name: String, requests: Int, status: FleetServerStatus)]) -> DashboardDocument {
        let rows = servers.map { name, requests, s in
            var row = DashboardDocument.Row(
                name: name, state: s.rejected > 0 ? .bad : (s.waiting > 0 ? .warn : .ok),
                values: [
                    "running": Double(s.running), "waiting": Double(s.waiting), "slots": Double(s.slots),
                    "requests": Double(requests), "requests_per_s": Double(requests), "completed_per_s": Double(s.completed),
                    "rejected": Double(s.rejected), "kv": s.kvCacheUsage,
                ])
            row["prefix_hit_rate"] = s.prefixHitRate
            return row
        }
        let running = servers.reduce(0) { $0 + $1.status.running }
        let waiting = servers.reduce(0) { $0 + $1.status.waiting }
        let slots = servers.reduce(0) { $0 + $1.status.slots }
        return DashboardDocument(
            title: "OneSimModels simulated fleet",
            sections: [
                .init(
                    id: "servers", title: "Fleet servers", note: "\(servers.count) servers · \(running) running · \(waiting) waiting · \(slots) slots",
                    columns: [
                        .init("running", "running", .int, spark: true), .init("waiting", "waiting", .int, spark: true),
                        .init("slots", "slots", .int), .init("requests", "requests", .int),
                        .init("requests_per_s", "req/s", .rate, spark: true), .init("completed_per_s", "done/s", .rate),
                        .init("rejected", "rejected", .int), .init("prefix_hit_rate", "prefix-cache hits", .percent, spark: true),
                        .init("kv", "KV cache", .percent, spark: true),
                    ],
                    rows: rows)
            ])
    }

    /// Starts serving and returns the bound port.
    @discardableResult
    package func start() async throws -> Int {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let router = Router()
        router.get("/dashboard") { _, _ in
            Response(
                status: .ok, headers: [.contentType: DashboardPage.contentType, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/dashboard/stats") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.document().json())))
        }
        var logger = Logger(label: "onesim.simulator.dashboard")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: requestedPort), serverName: "onesim-fleet-dashboard"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var bound: Int?
        for await p in stream { bound = p }
        guard let bound, bound > 0 else {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            throw SimulatorError.couldNotBind(host, requestedPort)
        }
        runner.withLock { $0 = (task, group, bound) }
        return bound
    }

    /// Stops serving and waits until the server is down.
    package func stop() async {
        let (task, group) = runner.withLock { ($0.task, $0.group) }
        await group?.triggerGracefulShutdown()
        _ = try? await task?.value
    }
}
