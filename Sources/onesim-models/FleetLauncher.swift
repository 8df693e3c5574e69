import Foundation
import OneSimModels
import OneSimModelsSimulator

/// Simulated fleet servers started in this process (`serve-mock --fleet`, `bench --fleet`): one
/// simulator in fleet server mode per server of a fleet file, each on its own 127.0.0.1 port.
struct FleetLauncher {
    struct Member {
        var config: FleetServerConfig
        var simulator: Simulator
        var host: String
        var port: Int
        var baseURL: String { "http://\(host):\(port)/v1" }
        var metricsURL: String { "http://\(host):\(port)/metrics" }
    }

    let members: [Member]
    /// The `model_name` every member serves.
    static let modelName = "sim"

    /// Starts one server per config; ports are consecutive from `firstPort`, or free ones when 0.
    /// On a failure the servers already started are stopped.
    static func start(_ configs: [FleetServerConfig], host: String = "127.0.0.1", firstPort: Int = 0) async throws -> FleetLauncher {
        var members: [Member] = []
        do {
            for (i, config) in configs.enumerated() {
                let port = firstPort == 0 ? 0 : firstPort + i
                guard port <= 65_535 else { throw ValidationErrorMessage("port \(port) of server '\(config.name)' is above 65535") }
                let simulator = Simulator(
                    configuration: .init(
                        host: host, port: port, models: [modelName], recordRequests: false, fleetServer: config,
                        fleetModelName: modelName))
                let bound = try await simulator.start()
                members.append(Member(config: config, simulator: simulator, host: host, port: bound))
            }
        } catch {
            for m in members { await m.simulator.stop() }
            throw error
        }
        return FleetLauncher(members: members)
    }

    func stop() async {
        for m in members { await m.simulator.stop() }
    }

    /// The models config for these servers: one `vllm_chat` entry per server (a 600 s request
    /// timeout, so a long server queue is waited for rather than retried elsewhere; with its
    /// `metrics_url` when `metricsURL` is true) and a `load_balancer` named `balancer` over them
    /// (with `strategy` when given), as pretty JSON.
    func modelsConfig(balancer: String = "fleet", strategy: String? = nil, metricsURL: Bool = true) -> String {
        var entries: [String] = []
        for m in members {
            var entry: [String: JSONValue] = [
                "config_name": .string(m.config.name), "model_type": "vllm_chat", "model_name": .string(Self.modelName),
                "client_args": ["base_url": .string(m.baseURL), "timeout": 600],
            ]
            if metricsURL { entry["metrics_url"] = .string(m.metricsURL) }
            entries.append("  " + JSONValue.object(entry).description)
        }
        var lb: [String: JSONValue] = [
            "config_name": .string(balancer), "model_type": "load_balancer",
            "models": .array(members.map { .string($0.config.name) }), "queue_timeout": 3600,
        ]
        if let strategy { lb["strategy"] = .string(strategy) }
        entries.append("  " + JSONValue.object(lb).description)
        return "[\n" + entries.joined(separator: ",\n") + "\n]"
    }
}

/// A plain error with a message (printed as is).
struct ValidationErrorMessage: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
