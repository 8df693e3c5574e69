import OneSimModels

import Crypto
import Foundation
import Synchronization

/// The gateway's client keys: stored as SHA-256 digests (the secrets are dropped once hashed),
/// compared in constant time, each with its limits, budget and usage tracker.
final class KeyStore: Sendable {
    struct Entry: Sendable {
        let digest: [UInt8]
        let name: String
        let models: Set<String>?
        let rpm: Int?
        let tpm: Int?
        let maxConcurrency: Int?
        let maxCostUSD: Double?
        let maxTokens: Int?
        let expires: Date?
        let tracker: TokenUsageTracker
    }

    /// A key's counters: a fixed one-minute window for rpm and tpm (the previous window is
    /// weighted in, so a burst at a window's edge cannot double the rate), in-flight calls,
    /// lifetime tokens and cost.
    struct Counters: Sendable {
        var windowStart: Double = 0
        var requests = 0
        var tokens = 0
        var previousRequests = 0
        var previousTokens = 0
        var inFlight = 0
        var totalTokens = 0
        var totalCost = 0.0

        mutating func roll(to now: Double) {
            let elapsed = now - windowStart
            if elapsed >= 120 || elapsed < 0 {
                previousRequests = 0
                previousTokens = 0
                requests = 0
                tokens = 0
                windowStart = now - now.truncatingRemainder(dividingBy: 60)
            } else if elapsed >= 60 {
                previousRequests = requests
                previousTokens = tokens
                requests = 0
                tokens = 0
                windowStart += 60
            }
        }

        /// The sliding estimate of the last minute's `current` given the previous window's.
        func estimate(_ current: Int, previous: Int, now: Double) -> Double {
            let weight = max(0, 1 - (now - windowStart) / 60)
            return Double(current) + Double(previous) * weight
        }
    }

    /// Who a request is.
    enum Caller: Sendable {
        /// No keys are configured (loopback only).
        case open
        case master
        case key(Int)

        var name: String {
            switch self {
            case .open: "anonymous"
            case .master: "master"
            case .key: "key"
            }
        }
    }

    let entries: [Entry]
    let masterDigest: [UInt8]?
    let counters: Mutex<[Counters]>
    let clock: @Sendable () -> Double

    /// Whether requests need a key.
    var requiresKeys: Bool { masterDigest != nil || !entries.isEmpty }

    init(_ section: GatewaySection?, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
        masterDigest = section?.masterKey.map(Self.digest)
        entries = (section?.keys ?? []).map { key in
            Entry(
                digest: Self.digest(key.secret), name: key.name, models: key.models, rpm: key.rpm, tpm: key.tpm,
                maxConcurrency: key.maxConcurrency, maxCostUSD: key.maxCostUSD, maxTokens: key.maxTokens,
                expires: key.expires, tracker: TokenUsageTracker(label: "gateway-key-\(key.name)"))
        }
        counters = Mutex(Array(repeating: Counters(), count: entries.count))
    }

    static func digest(_ secret: String) -> [UInt8] { Array(SHA256.hash(data: Array(secret.utf8))) }

    /// Equal digests, in time independent of where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// The caller of a request from its `Authorization` (or `api-key`) header; every stored
    /// digest is compared, whatever matches.
    func authenticate(authorization: String?, apiKey: String?) throws(GatewayError) -> Caller {
        guard requiresKeys else { return .open }
        var presented: Substring?
        if let authorization {
            let trimmed = authorization.drop { $0 == " " }
            if trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " { presented = trimmed.dropFirst(7).drop { $0 == " " } }
        }
        if presented == nil, let apiKey { presented = Substring(apiKey) }
        guard let presented, !presented.isEmpty, presented.utf8.count <= 4096 else {
            throw GatewayError(
                401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", type: "invalid_request_error",
                code: "missing_api_key")
        }
        let digest = Self.digest(String(presented))
        var found: Caller?
        if let masterDigest, Self.constantTimeEqual(digest, masterDigest) { found = .master }
        for (i, entry) in entries.enumerated() where Self.constantTimeEqual(digest, entry.digest) { found = .key(i) }
        guard let found else {
            throw GatewayError(401, "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")
        }
        if case .key(let i) = found, let expires = entries[i].expires, clock() >= expires.timeIntervalSince1970 {
            throw GatewayError(401, "The API key '\(entries[i].name)' expired.", type: "invalid_request_error", code: "expired_api_key")
        }
        return found
    }

    /// Whether `caller` may use `model` (403 otherwise).
    func authorize(_ caller: Caller, model: String) throws(GatewayError) {
        guard case .key(let i) = caller, let models = entries[i].models else { return }
        guard models.contains(model) else {
            throw GatewayError(
                403, "The API key '\(entries[i].name)' may not use the model '\(model)'.", type: "permission_error",
                code: "model_not_allowed", param: "model")
        }
    }

    /// Whether `caller` may see `model` in `/v1/models`.
    func mayUse(_ caller: Caller, model: String) -> Bool {
        guard case .key(let i) = caller, let models = entries[i].models else { return true }
        return models.contains(model)
    }

    /// Admits one call of `caller`: checks budget, rpm, tpm and concurrency, and counts it.
    /// Pair with `finish`.
    func admit(_ caller: Caller) throws(GatewayError) {
        guard case .key(let i) = caller else { return }
        let entry = entries[i]
        let now = clock()
        try counters.withLock { all throws(GatewayError) in
            var c = all[i]
            c.roll(to: now)
            if let maxTokens = entry.maxTokens, c.totalTokens >= maxTokens {
                throw GatewayError(
                    402, "The API key '\(entry.name)' used its token budget (\(maxTokens) tokens).", type: "insufficient_quota",
                    code: "insufficient_quota")
            }
            if let maxCost = entry.maxCostUSD, c.totalCost >= maxCost {
                throw GatewayError(
                    402, "The API key '\(entry.name)' used its budget of $\(maxCost).", type: "insufficient_quota",
                    code: "insufficient_quota")
            }
            let left = 60 - (now - c.windowStart)
            let retry = left.isFinite ? Int(left.rounded(.up).clamped(to: 1...60)) : 60
            if let rpm = entry.rpm, c.estimate(c.requests, previous: c.previousRequests, now: now) + 1 > Double(rpm) {
                throw GatewayError(
                    429, "Rate limit reached for the API key '\(entry.name)': \(rpm) requests per minute.", type: "requests",
                    code: "rate_limit_exceeded", retryAfter: retry)
            }
            if let tpm = entry.tpm, c.estimate(c.tokens, previous: c.previousTokens, now: now) >= Double(tpm) {
                throw GatewayError(
                    429, "Rate limit reached for the API key '\(entry.name)': \(tpm) tokens per minute.", type: "tokens",
                    code: "rate_limit_exceeded", retryAfter: retry)
            }
            if let maxConcurrency = entry.maxConcurrency, c.inFlight >= maxConcurrency {
                throw GatewayError(
                    429, "The API key '\(entry.name)' has \(maxConcurrency) requests in flight, its limit.", type: "requests",
                    code: "concurrency_limit_exceeded", retryAfter: 1)
            }
            c.requests += 1
            c.inFlight += 1
            all[i] = c
        }
    }

    /// Ends a call admitted by `admit`: records its tokens, cost and usage.
    func finish(_ caller: Caller, record: CallRecord?, cost: Double?) {
        guard case .key(let i) = caller else { return }
        let now = clock()
        counters.withLock { all in
            var c = all[i]
            c.roll(to: now)
            c.inFlight = max(0, c.inFlight - 1)
            if let record {
                c.tokens = c.tokens.saturatingAdd(record.usage.totalTokens)
                c.totalTokens = c.totalTokens.saturatingAdd(record.usage.totalTokens)
            }
            if let cost, cost.isFinite, cost > 0 { c.totalCost += cost }
            all[i] = c
        }
        if let record { entries[i].tracker.record(record) }
    }

    /// `/v1/usage`: each key's tracker stats (the tracker's JSON shape) with its spend.
    func usageJSON() -> JSONValue {
        let snapshot = counters.withLock { $0 }
        var keys: [String: JSONValue] = [:]
        for (i, entry) in entries.enumerated() {
            var stats = entry.tracker.stats().dictionary
            if case .object(var object) = stats {
                object["cost_usd"] = .double(snapshot[i].totalCost)
                object["in_flight"] = .int(snapshot[i].inFlight)
                if let maxCost = entry.maxCostUSD { object["max_cost_usd"] = .double(maxCost) }
                if let maxTokens = entry.maxTokens { object["max_tokens"] = .int(maxTokens) }
                stats = .object(object)
            }
            keys[entry.name] = stats
        }
        return .object(keys)
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
