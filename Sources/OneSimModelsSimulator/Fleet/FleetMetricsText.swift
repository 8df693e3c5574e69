extension FleetServerModel {
    /// The server's state as Prometheus text with vLLM V1's metric names, labelled
    /// `model_name="<model>"`: `vllm:num_requests_running`, `vllm:num_requests_waiting`,
    /// `vllm:kv_cache_usage_perc` (0 to 1), and the counters `vllm:prefix_cache_queries_total`
    /// and `vllm:prefix_cache_hits_total` (in tokens).
    package func metricsText(modelName: String = "sim") -> String {
        let label = "model_name=\"\(Self.escape(modelName))\""
        func format(_ value: Double) -> String { value.isFinite ? "\(value)" : "0.0" }
        return """
            # HELP vllm:num_requests_running Number of requests in model execution batches.
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{\(label)} \(running).0
            # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{\(label)} \(waiting).0
            # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
            # TYPE vllm:kv_cache_usage_perc gauge
            vllm:kv_cache_usage_perc{\(label)} \(format(kvCacheUsage))
            # HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
            # TYPE vllm:prefix_cache_queries_total counter
            vllm:prefix_cache_queries_total{\(label)} \(prefixQueries).0
            # HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.
            # TYPE vllm:prefix_cache_hits_total counter
            vllm:prefix_cache_hits_total{\(label)} \(prefixHits).0

            """
    }

    /// A Prometheus label value: backslash, quote and newline escaped.
    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}

/// Reads the prefix-cache counters back from vLLM-style Prometheus text (summed over label
/// sets), for reports; lines are bounded by the caller's read limit, bad values are skipped.
package enum FleetPrefixCounters {
    /// `(queries, hits)` in tokens, or nil when the text has neither counter.
    package static func parse(_ text: String) -> (queries: Double, hits: Double)? {
        var queries: Double?
        var hits: Double?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard !line.hasPrefix("#") else { continue }
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard name == "vllm:prefix_cache_queries_total" || name == "vllm:prefix_cache_hits_total",
                let last = line.split(separator: " ").last, let value = Double(last), value.isFinite, value >= 0
            else { continue }
            if name == "vllm:prefix_cache_queries_total" { queries = (queries ?? 0) + value } else { hits = (hits ?? 0) + value }
        }
        guard queries != nil || hits != nil else { return nil }
        return (queries ?? 0, hits ?? 0)
    }
}
