import OneSimModelsCore

/// Connection settings of a manager's HTTP client, shared by every model it serves.
///
/// Modelled on AsyncHTTPClient's `Configuration`: plain values with defaults suited to many
/// concurrent agents talking to a few model servers.
public struct HTTPSettings: Sendable, Hashable {
    /// Open connections allowed per host (HTTP/1.1); requests beyond it wait in the pool's
    /// queue. Default 1,024, since every in-flight model call holds a connection for seconds.
    public var maxConnectionsPerHost: Int
    /// How long an unused pooled connection stays open (default 60 s).
    public var idleTimeout: Duration
    /// The default connect timeout when a config does not set one (default 10 s).
    public var connectTimeout: Duration
    /// The default read (idle) timeout when a config does not set one (default 60 s): the longest
    /// silence between body chunks once a response head has arrived, streamed or not (the wait
    /// for the head is bounded by the total timeout only).
    public var readTimeout: Duration
    /// The largest response body accepted (default 64 MiB).
    public var maxResponseBytes: Int
    /// Accept gzip/deflate responses (off by default: model APIs answer uncompressed unless
    /// asked, and the decompressor costs CPU on every response).
    public var decompression: Bool

    /// Settings with the given values.
    public init(
        maxConnectionsPerHost: Int = 1024, idleTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = 64 << 20, decompression: Bool = false,
        readTimeout: Duration = .seconds(60)
    ) {
        self.readTimeout = readTimeout
        self.decompression = decompression
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
    }
}

