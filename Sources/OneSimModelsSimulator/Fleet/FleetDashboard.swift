import Foundation
import Hummingbird
import NIOCore
import OneSimModelsDashboard

/// The dashboard of simulated fleet servers (`serve-mock --fleet`): every server in fleet mode
/// serves the shared page at `GET /dashboard` and, at `GET /dashboard/stats`, one row per
/// server of its fleet (itself, or the peers given to `Simulator.showOnDashboard(_:)`):
/// running and waiting requests against its slots, requests/s, prefix-cache hit rate and
/// KV-cache use.
///
/// The servers are separate simulators on their own ports, read in process. No key is asked
/// for: the simulator is a local test tool and these numbers hold nothing secret.
package enum FleetDashboard {
    /// Adds the two routes to a fleet server's router.
    static func register(on router: Router<BasicRequestContext>, simulator: Simulator) {
        router.get("/dashboard") { _, _ in
            Response(
                status: .ok, headers: [.contentType: DashboardPage.contentType, .cacheControl: "no-cache"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/dashboard/stats") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: FleetDashboard.document(for: simulator).json())))
        }
    }

    /// The stats of `simulator`'s fleet now.
    package static func document(for simulator: Simulator) -> DashboardDocument {
        let peers = simulator.dashboardPeers
        return document((peers.isEmpty ? [simulator] : peers).compactMap { s in
            s.fleetStatus().map { (s.configuration.fleetServer?.name ?? "?", s.requestCount, $0) }
        })
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
}
