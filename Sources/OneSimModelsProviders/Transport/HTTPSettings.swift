import OneSimModelsCore

/// Connection settings of a manager's HTTP client, shared by every model it serves
/// (`ModelManager(httpSettings:)`).
///
/// Modelled on AsyncHTTPClient's `Configuration`: plain values with defaults suited to many
/// concurrent agents talking to a few model servers, grouped as `timeout` and `connectionPool`.
///
/// Where each timeout lives: `timeout` holds the manager's defaults for the connect and read
/// timeouts; a config's `client_args.timeout` (`TimeoutSettings`) overrides them for that config
/// and also sets the total deadline (default 600 s); a call's `CallOptions.timeout` overrides the
/// total deadline for that call, streams included. A deadline bounds the whole request, body
/// included; the read timeout is the longest silence between body chunks.
public struct HTTPSettings: Sendable, Hashable {
    /// The manager-wide defaults of the timeouts a config may leave unset.
    public struct Timeout: Sendable, Hashable {
        /// Time to open a connection (default 10 s).
        public var connect: Duration
        /// The longest silence between body chunks once a response head has arrived, streamed
        /// or not (default 60 s). It never cuts the wait for the head: a server may send nothing
        /// until its whole answer is ready, so only the total deadline bounds that wait.
        public var read: Duration

        /// Defaults with the given values.
        public init(connect: Duration = .seconds(10), read: Duration = .seconds(60)) {
            self.connect = connect
            self.read = read
        }
    }

    /// How connections are pooled.
    public struct ConnectionPool: Sendable, Hashable {
        /// Open connections allowed per host (HTTP/1.1); requests beyond it wait in the pool's
        /// queue. Default 1,024, since every in-flight model call holds a connection for seconds.
        public var maxConnectionsPerHost: Int
        /// How long an unused pooled connection stays open (default 60 s).
        public var idleTimeout: Duration

        /// A pool with the given limits.
        public init(maxConnectionsPerHost: Int = 1024, idleTimeout: Duration = .seconds(60)) {
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.idleTimeout = idleTimeout
        }
    }

    /// Default connect and read timeouts for configs that do not set their own.
    public var timeout: Timeout
    /// Connection pool limits.
    public var connectionPool: ConnectionPool
    /// The largest response body accepted, in bytes (default 64 MiB); a larger one fails the
    /// call with `.decoding` rather than growing memory without bound.
    public var maxResponseBytes: Int
    /// Accept gzip/deflate responses (off by default: model APIs answer uncompressed unless
    /// asked, and the decompressor costs CPU on every response).
    public var decompression: Bool

    /// Settings with the given values; every default is the documented one.
    public init(
        timeout: Timeout = Timeout(), connectionPool: ConnectionPool = ConnectionPool(),
        maxResponseBytes: Int = 64 << 20, decompression: Bool = false
    ) {
        self.timeout = timeout
        self.connectionPool = connectionPool
        self.maxResponseBytes = maxResponseBytes
        self.decompression = decompression
    }
}

extension HTTPSettings {
    /// The old flat initializer.
    @available(*, deprecated, message: "use HTTPSettings(timeout:connectionPool:maxResponseBytes:decompression:)")
    public init(
        maxConnectionsPerHost: Int, idleTimeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int = 64 << 20, decompression: Bool = false, readTimeout: Duration = .seconds(60)
    ) {
        self.init(
            timeout: Timeout(connect: connectTimeout, read: readTimeout),
            connectionPool: ConnectionPool(maxConnectionsPerHost: maxConnectionsPerHost, idleTimeout: idleTimeout),
            maxResponseBytes: maxResponseBytes, decompression: decompression)
    }

    /// The old home of `connectionPool.maxConnectionsPerHost`.
    @available(*, deprecated, renamed: "connectionPool.maxConnectionsPerHost")
    public var maxConnectionsPerHost: Int {
        get { connectionPool.maxConnectionsPerHost }
        set { connectionPool.maxConnectionsPerHost = newValue }
    }

    /// The old home of `connectionPool.idleTimeout`.
    @available(*, deprecated, renamed: "connectionPool.idleTimeout")
    public var idleTimeout: Duration {
        get { connectionPool.idleTimeout }
        set { connectionPool.idleTimeout = newValue }
    }

    /// The old home of `timeout.connect`.
    @available(*, deprecated, renamed: "timeout.connect")
    public var connectTimeout: Duration {
        get { timeout.connect }
        set { timeout.connect = newValue }
    }

    /// The old home of `timeout.read`.
    @available(*, deprecated, renamed: "timeout.read")
    public var readTimeout: Duration {
        get { timeout.read }
        set { timeout.read = newValue }
    }
}
