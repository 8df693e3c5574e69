/// Timeouts of one config (`client_args.timeout`).
public struct TimeoutSettings: Sendable, Hashable {
    /// Time to open a connection; `nil` uses the manager's default.
    public var connect: Duration?
    /// Read (idle) timeout: the longest silence between body chunks once the response head has
    /// arrived, streamed or not; `nil` uses the manager's default (`HTTPSettings.timeout.read`,
    /// 60 s). It never cuts a call while the server is still working before its head (a
    /// non-streamed server sends nothing until its answer is complete): only `total` bounds that.
    public var read: Duration?
    /// Deadline for the whole request, body included (default 600 s, as openai-python). A
    /// stream is bounded by it as a whole too, from the request to its last chunk. Per attempt:
    /// a bare adapter's retry starts a new deadline.
    public var total: Duration

    /// Timeouts with the given values; `nil` parts take the manager's `HTTPSettings.timeout`.
    public init(connect: Duration? = nil, read: Duration? = nil, total: Duration = .seconds(600)) {
        self.connect = connect
        self.read = read
        self.total = total
    }

    /// The defaults: connect and read from the manager, 600 s total.
    public static let `default` = TimeoutSettings()
}
