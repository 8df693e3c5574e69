import ArgumentParser
import Foundation
import OneSimModelsSimulator

/// `onesim-models serve-mock`: runs the OpenAI-compatible simulator until interrupted.
struct ServeMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve-mock", abstract: "Serve the OpenAI-compatible simulator on 127.0.0.1.")

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 8089

    @Option(name: .long, help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Embedding dimensions.")
    var dimensions: Int = 8

    @Option(name: .long, help: "Latency added to every request, in milliseconds.")
    var latencyMs: Int = 0

    @Option(name: .long, help: "A fleet file (JSON): start one simulated vLLM-like server per entry, on consecutive ports from --port (free ones with --port 0), and print a models config for them.")
    var fleet: String?

    @Option(name: .long, help: "With --fleet: the printed balancer's strategy (default: none named, the balancer's default).")
    var strategy: String?

    func validate() throws {
        try FlagRange.check("--port", port, 0...65_535)
        try FlagRange.check("--dimensions", dimensions, 1...65_536)
        try FlagRange.check("--latency-ms", latencyMs, 0...86_400_000)
    }

    func run() async throws {
        if let fleet {
            let configs: [FleetServerConfig]
            let launcher: FleetLauncher
            do {
                configs = try FleetDescription.load(path: fleet)
                launcher = try await FleetLauncher.start(configs, host: host, firstPort: port)
            } catch {
                printError("error: \(error)")
                throw ExitCode.failure
            }
            for m in launcher.members {
                print("fleet server \(m.config.name) listening on \(m.baseURL) (metrics \(m.metricsURL))")
            }
            if let first = launcher.members.first {
                first.simulator.showOnDashboard(launcher.members.map(\.simulator))
                print("fleet dashboard on http://\(first.host):\(first.port)/dashboard")
            }
            print(launcher.modelsConfig(strategy: strategy))
            fflush(nil)
            await withTaskGroup(of: Void.self) { group in
                for m in launcher.members { group.addTask { try? await m.simulator.runUntilCancelled() } }
            }
            await launcher.stop()
            return
        }
        let simulator = Simulator(
            configuration: .init(
                host: host, port: port, embeddingDimensions: dimensions, latency: .milliseconds(latencyMs),
                recordRequests: false))
        let bound = try await simulator.start()
        print("simulator listening on http://\(host):\(bound)/v1")
        try await simulator.runUntilCancelled()
    }
}
