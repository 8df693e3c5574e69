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
