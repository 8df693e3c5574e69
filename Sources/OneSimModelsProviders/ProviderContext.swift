import Logging
import OneSimModelsCore

/// What a provider adapter is built with: the manager's shared transport, its usage recorder,
/// the environment for key fallbacks, and a logger.
public struct ProviderContext: Sendable {
    /// The manager's shared, pooled HTTP transport.
    package var transport: HTTPTransport
    /// Where each call's usage goes.
    public var recorder: any UsageRecorder
    /// Environment variables (for `OPENAI_API_KEY` and friends).
    public var environment: [String: String]
    /// The logger (never given keys).
    public var logger: Logger
    /// The manager's spending limit, checked before each call is sent.
    public var budget: (any SpendingLimit)?

    /// A context over `transport`; by default usage is dropped, the environment is empty (no key
    /// fallbacks), there is no spending limit and logs go to `onesim.models`.
    package init(
        transport: HTTPTransport, recorder: any UsageRecorder = NoUsageRecorder(), environment: [String: String] = [:],
        logger: Logger = Logger(label: "onesim.models"), budget: (any SpendingLimit)? = nil
    ) {
        self.budget = budget
        self.transport = transport
        self.recorder = recorder
        self.environment = environment
        self.logger = logger
    }

    /// The first non-empty value among `value` and the named environment variables.
    public func resolve(_ value: String?, env names: String...) -> String? {
        if let value, !value.isEmpty { return value }
        for name in names {
            if let v = environment[name], !v.isEmpty { return v }
        }
        return nil
    }
}
