import ArgumentParser
import Foundation
import Logging
import Metrics
import OneSimModels
import OneSimModelsGateway
import Prometheus

/// `onesim-models serve`: the OpenAI-compatible gateway over a config file's models and
/// balancers, until SIGTERM or SIGINT (then it drains and exits 0).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the config's models and balancers over an OpenAI-compatible HTTP API.")

    @Option(name: .long, help: "The config file (models, balancers and an optional \"gateway\" section with keys).")
    var config: String

    @Option(name: .long, help: "Address to bind; any address but loopback needs keys in the config's gateway section.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 4000

    @Option(name: .long, help: "Largest request body accepted, in MiB.")
    var maxBodyMib: Int = 16

    @Option(name: .long, help: "Seconds a shutdown waits for calls in flight.")
    var drainTimeout: Int = 30

    @Flag(name: .long, help: "Do not write an access log line per request.")
    var noAccessLog = false

    func validate() throws {
        try FlagRange.check("--port", port, 0...65_535)
        try FlagRange.check("--max-body-mib", maxBodyMib, 1...1_024)
        try FlagRange.check("--drain-timeout", drainTimeout, 0...86_400)
    }

    func run() async throws {
        // The process's swift-metrics backend: every metric the library emits, plus the
        // gateway's own, on GET /metrics. Bootstrapping happens once per process, here only.
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        // The access log (a line per request) is written in batches; everything else at once.
        let accessLines = BufferedLineSink()
        let accessLabel = "onesim.gateway.access"  // Gateway.Configuration's default access logger
        LoggingSystem.bootstrap { label in
            if label == accessLabel { return BufferedLogHandler(label: label, sink: accessLines) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let flusher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                accessLines.flush()
            }
        }
        defer {
            flusher.cancel()
            accessLines.flush()
        }
        let manager = ModelManager()
        let gateway: Gateway
        do {
            try manager.loadModelConfigs(path: config)
            var settings = Gateway.Configuration(
                host: host, port: port, maxBodyBytes: maxBodyMib << 20, drainTimeout: .seconds(drainTimeout),
                accessLog: !noAccessLog, metrics: registry)
            try settings.readKeys(fromConfigFile: config)
            gateway = try Gateway(manager: manager, configuration: settings)
        } catch {
            await manager.shutdown()
            printError("error: \(error)")
            throw ExitCode.failure
        }
        do {
            try await gateway.run()
        } catch {
            // A drain that ran out of time cancels what was left; the shutdown itself was asked for.
            printError("gateway stopped: \(error)")
        }
        await manager.shutdown()
    }
}
