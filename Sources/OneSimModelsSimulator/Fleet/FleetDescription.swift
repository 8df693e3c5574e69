import Foundation

/// A fleet file: the servers `serve-mock --fleet` and `bench --fleet` start.
///
/// ```json
/// {"servers": [{"name": "gpu0", "max_num_seqs": 16, "speed": 1.0},
///              {"name": "gpu1", "speed": 0.5, "speed_changes": [{"at": 5, "speed": 0.125}]}],
///  "defaults": {"cache_blocks": 4096, "block_tokens": 16}}
/// ```
///
/// Server keys (each optional but `name`; `defaults` takes the same keys but `name`):
/// `max_num_seqs`, `speed`, `prefill_seconds_per_token`, `decode_seconds_per_token`,
/// `batch_slowdown`, `cache_blocks`, `block_tokens`, `speed_changes` (`[{"at": seconds, "speed": x}]`).
/// The file is untrusted: at most 1 MiB and 64 servers, every number range-checked, unknown
/// keys and duplicate names rejected, each error naming the server and key.
public enum FleetDescription {
    /// Largest fleet file read.
    public static let maximumBytes = 1 << 20
    /// Most servers in one fleet.
    public static let maximumServers = 64

    static let serverKeys: Set<String> = [
        "name", "max_num_seqs", "speed", "prefill_seconds_per_token", "decode_seconds_per_token", "batch_slowdown",
        "cache_blocks", "block_tokens", "speed_changes",
    ]

    /// The servers described by the file at `path`.
    public static func load(path: String) throws(FleetConfigError) -> [FleetServerConfig] {
        let data = try FleetFile.read(path: path, maximumBytes: maximumBytes, what: "fleet file", limit: "1 MiB")
        return try parse(data)
    }

    /// The servers described by `data` (a fleet file's bytes).
    public static func parse(_ data: Data) throws(FleetConfigError) -> [FleetServerConfig] {
        guard data.count <= maximumBytes else { throw FleetConfigError("fleet description is larger than 1 MiB") }
        let value: FleetJSON
        do { value = try FleetJSON.parse(data) } catch { throw FleetConfigError("fleet description is not valid JSON") }
        guard case .object(let top) = value else { throw FleetConfigError("fleet description must be an object, got \(value.typeName)") }
        for key in top.keys.sorted() where key != "servers" && key != "defaults" {
            throw FleetConfigError("unknown top-level key '\(key)' (valid: servers, defaults)")
        }
        var defaults = FleetServerConfig(name: "defaults")
        if let d = top["defaults"] {
            guard case .object(let object) = d else { throw FleetConfigError("'defaults' must be an object, got \(d.typeName)") }
            if object["name"] != nil { throw FleetConfigError("'defaults' cannot set 'name'") }
            try apply(object, to: &defaults, context: "defaults")
        }
        guard case .array(let list)? = top["servers"] else {
            throw FleetConfigError("'servers' must be an array of server objects")
        }
        guard (1...maximumServers).contains(list.count) else {
            throw FleetConfigError("'servers' must hold 1 to \(maximumServers) servers, got \(list.count)")
        }
        var servers: [FleetServerConfig] = []
        var names = Set<String>()
        for (i, entry) in list.enumerated() {
            guard case .object(let object) = entry else {
                throw FleetConfigError("servers[\(i)] must be an object, got \(entry.typeName)")
            }
            guard case .string(let name)? = object["name"], !name.isEmpty, name.utf8.count <= 256 else {
                throw FleetConfigError("servers[\(i)].name must be a non-empty string of at most 256 bytes")
            }
            guard names.insert(name).inserted else { throw FleetConfigError("servers[\(i)]: duplicate name '\(name)'") }
            var server = defaults
            server.name = name
            try apply(object, to: &server, context: "servers[\(i)] ('\(name)')")
            if let problem = server.problem { throw FleetConfigError("servers[\(i)] ('\(name)'): \(problem)") }
            servers.append(server)
        }
        return servers
    }

    private static func apply(_ object: [String: FleetJSON], to server: inout FleetServerConfig, context: String) throws(FleetConfigError) {
        func get<T>(_ key: String, _ result: Result<T, FleetConfigError>) throws(FleetConfigError) -> T {
            switch result {
            case .success(let v): return v
            case .failure(let e): throw FleetConfigError("\(context).\(key) \(e.message)")
            }
        }
        for key in object.keys.sorted() where !serverKeys.contains(key) {
            throw FleetConfigError("\(context): unknown key '\(key)' (valid: \(serverKeys.sorted().joined(separator: ", ")))")
        }
        typealias L = FleetServerConfig.Limits
        if let v = object["max_num_seqs"] { server.maxNumSeqs = try get("max_num_seqs", v.integer(in: L.maxNumSeqs)) }
        if let v = object["speed"] { server.speed = try get("speed", v.number(in: L.speed)) }
        if let v = object["prefill_seconds_per_token"] {
            server.prefillSecondsPerToken = try get("prefill_seconds_per_token", v.number(in: L.secondsPerToken))
        }
        if let v = object["decode_seconds_per_token"] {
            server.decodeSecondsPerToken = try get("decode_seconds_per_token", v.number(in: L.secondsPerToken))
        }
        if let v = object["batch_slowdown"] { server.batchSlowdown = try get("batch_slowdown", v.number(in: L.batchSlowdown)) }
        if let v = object["cache_blocks"] { server.cacheBlocks = try get("cache_blocks", v.integer(in: L.cacheBlocks)) }
        if let v = object["block_tokens"] { server.blockTokens = try get("block_tokens", v.integer(in: L.blockTokens)) }
        if let v = object["speed_changes"] {
            guard case .array(let list) = v else { throw FleetConfigError("\(context).speed_changes must be an array, got \(v.typeName)") }
            guard list.count <= L.speedChanges.upperBound else {
                throw FleetConfigError("\(context).speed_changes may hold at most \(L.speedChanges.upperBound) entries")
            }
            var changes: [FleetServerConfig.SpeedChange] = []
            for (j, item) in list.enumerated() {
                guard case .object(let change) = item else {
                    throw FleetConfigError("\(context).speed_changes[\(j)] must be an object, got \(item.typeName)")
                }
                for key in change.keys.sorted() where key != "at" && key != "speed" {
                    throw FleetConfigError("\(context).speed_changes[\(j)]: unknown key '\(key)' (valid: at, speed)")
                }
                guard let at = change["at"], let speed = change["speed"] else {
                    throw FleetConfigError("\(context).speed_changes[\(j)] needs 'at' (seconds) and 'speed'")
                }
                let seconds = try get("speed_changes[\(j)].at", at.number(in: L.changeAt))
                let value = try get("speed_changes[\(j)].speed", speed.number(in: L.speed))
                changes.append(.init(at: FleetTime.duration(seconds), speed: value))
            }
            server.speedChanges = changes
        }
    }
}
