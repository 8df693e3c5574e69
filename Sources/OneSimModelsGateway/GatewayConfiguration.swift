import OneSimModels

import Foundation
import Logging
import Prometheus

extension Gateway {
    /// How the gateway listens and what it accepts.
    public struct Configuration: Sendable {
        /// The address to bind (`127.0.0.1` by default). Any address but loopback needs keys.
        public var host: String
        /// The port (0 picks a free one; `start()` returns it).
        public var port: Int
        /// The largest request body accepted, in bytes (16 MiB by default); larger ones get a 413.
        public var maxBodyBytes: Int
        /// How long a shutdown waits for calls in flight before cancelling them.
        public var drainTimeout: Duration
        /// How long an idle keep-alive connection stays open.
        public var idleTimeout: Duration
        /// Whether one access log line is written per request (at `info`, label `onesim.gateway.access`).
        public var accessLog: Bool
        /// Where `GET /metrics` reads from: the registry the process bootstrapped as its
        /// swift-metrics backend (`onesim-models serve` does), or a private one.
        public var metrics: PrometheusCollectorRegistry
        /// The gateway's own log (start, stop, refusals).
        public var logger: Logger
        /// Where the access log lines go (label `onesim.gateway.access` by default).
        public var accessLogger: Logger
        /// Keys, limits and budgets (from a config file's `gateway` section).
        var keys: GatewaySection?

        /// A configuration with these settings and no keys.
        public init(
            host: String = "127.0.0.1", port: Int = 4000, maxBodyBytes: Int = 16 << 20, drainTimeout: Duration = .seconds(30),
            idleTimeout: Duration = .seconds(120), accessLog: Bool = true,
            metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
            logger: Logger = Logger(label: "onesim.gateway"), accessLogger: Logger = Logger(label: "onesim.gateway.access")
        ) {
            self.accessLogger = accessLogger
            self.host = host
            self.port = port
            self.maxBodyBytes = maxBodyBytes
            self.drainTimeout = drainTimeout
            self.idleTimeout = idleTimeout
            self.accessLog = accessLog
            self.metrics = metrics
            self.logger = logger
        }

        /// Reads the keys from the `gateway` section of a config file (the file the models come
        /// from), expanding `${ENV}` from `environment`. A file without the section leaves the
        /// gateway keyless (loopback only).
        public mutating func readKeys(
            fromConfigFile path: String, environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws(ModelError) {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                throw ModelError(.configuration, "config file '\(path)' cannot be read")
            }
            keys = try GatewaySection.load(data: data, source: path, environment: environment)
        }

        /// Reads the keys from config JSON text (the whole file, or only the section's value).
        public mutating func readKeys(json: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ModelError) {
            keys = try GatewaySection.load(data: Data(json.utf8), source: "JSON", environment: environment)
        }

        /// Whether the configuration is safe to start: a sane port and body limit, and keys
        /// unless the gateway binds to loopback only.
        func validate() throws(ModelError) {
            guard (0...65_535).contains(port) else { throw ModelError(.configuration, "gateway: port must be from 0 to 65535, got \(port)") }
            guard (1_024...(1 << 30)).contains(maxBodyBytes) else {
                throw ModelError(.configuration, "gateway: the body limit must be from 1 KiB to 1 GiB, got \(maxBodyBytes) bytes")
            }
            guard drainTimeout >= .zero, idleTimeout > .zero else {
                throw ModelError(.configuration, "gateway: the drain timeout must be ≥ 0 and the idle timeout > 0")
            }
            if !(keys?.hasKeys ?? false) && !Self.isLoopback(host) {
                throw ModelError(
                    .configuration,
                    "gateway: refusing to listen on '\(host)' without keys: anyone who can reach it could spend your model budget. Add a \"gateway\" section with a master_key or keys to the config file, or bind to 127.0.0.1")
            }
        }

        static func isLoopback(_ host: String) -> Bool {
            let h = host.lowercased()
            if h == "localhost" || h == "::1" || h == "[::1]" { return true }
            let parts = h.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { $0.count <= 3 && UInt8($0) != nil }
        }
    }
}
