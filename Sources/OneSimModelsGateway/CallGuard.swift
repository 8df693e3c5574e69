import OneSimModels

import Synchronization

/// One admitted call of a key: ends it exactly once (tokens, cost and usage recorded against
/// the key), also when a response is dropped unsent (then as a call that served nothing).
/// A streamed call also writes its access log line and metrics here, when its body ends.
final class CallGuard: Sendable {
    let gateway: Gateway
    let caller: KeyStore.Caller
    let start: ContinuousClock.Instant
    let kind: ModelKind
    private let state: Mutex<(done: Bool, member: String?, record: AccessRecord)>

    init(gateway: Gateway, caller: KeyStore.Caller, record: AccessRecord, start: ContinuousClock.Instant, kind: ModelKind) {
        self.gateway = gateway
        self.caller = caller
        self.start = start
        self.kind = kind
        state = Mutex((false, nil, record))
    }

    func setMember(_ member: String?) {
        state.withLock { $0.member = member }
    }

    /// Ends a call that failed before a response was sent (the error response is logged by
    /// the route).
    func finish(error: any Error, upstream: Duration) {
        guard claim() else { return }
        let record = state.withLock { $0.record }
        gateway.keys.finish(
            caller,
            record: CallRecord(
                modelName: record.model, configName: record.model, provider: "gateway", kind: kind, usage: .zero, latency: upstream,
                error: (error as? ModelError)?.kind ?? .cancelled),
            cost: nil)
    }

    /// Ends a call answered in one piece.
    func finish(response: ModelResponse, upstream: Duration) {
        guard claim() else { return }
        gateway.keys.finish(caller, record: Self.callRecord(response.modelInfo, usage: response.usage, kind: kind, latency: upstream), cost: response.cost(using: gateway.prices))
    }

    /// Ends a streamed call when its body ends: records it, logs it and counts it.
    func finishStream(status: Int, usage: Usage?, modelInfo: ModelInfo?, upstream: Duration, overhead: Duration) {
        guard claim() else { return }
        var record = state.withLock { s in
            s.record.member = s.member ?? "-"
            return s.record
        }
        let usage = usage ?? .zero
        let info = modelInfo ?? ModelInfo(modelName: record.model, configName: record.model, provider: "gateway")
        let price = gateway.prices.price(modelName: info.modelName, configName: info.member ?? info.configName)
        gateway.keys.finish(caller, record: Self.callRecord(info, usage: usage, kind: kind, latency: upstream), cost: price?.cost(of: usage))
        record.status = status
        record.tokens = usage.totalTokens
        let latency = ContinuousClock.now - start
        gateway.metrics.record(route: record.route, method: record.method, status: status, latency: latency, overhead: overhead)
        if gateway.configuration.accessLog { record.log(to: gateway.accessLogger, latency: latency, overhead: overhead) }
    }

    static func callRecord(_ info: ModelInfo, usage: Usage, kind: ModelKind, latency: Duration) -> CallRecord {
        CallRecord(
            modelName: info.modelName, configName: info.member ?? info.configName, provider: info.provider, kind: kind, usage: usage,
            latency: latency)
    }

    private func claim() -> Bool {
        state.withLock { s in
            if s.done { return false }
            s.done = true
            return true
        }
    }

    deinit {
        // A response dropped before its body ran (the client went away): free the key's slot.
        if claim() { gateway.keys.finish(caller, record: nil, cost: nil) }
    }
}
