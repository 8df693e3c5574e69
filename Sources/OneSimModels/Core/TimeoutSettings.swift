/// Timeouts of one config (`client_args.timeout`).
public struct TimeoutSettings: Sendable, Hashable {
    /// Time to open a connection; `nil` uses the manager's default.
    public var connect: Duration?
    /// Longest silence while reading a response; `nil` for none.
    public var read: Duration?
    /// Deadline for the whole request (default 600 s, as openai-python).
    public var total: Duration

    /// Timeouts with the given values.
    public init(connect: Duration? = nil, read: Duration? = nil, total: Duration = .seconds(600)) {
        self.connect = connect
        self.read = read
        self.total = total
    }

    /// The defaults: connect from the manager, no read timeout, 600 s total.
    public static let `default` = TimeoutSettings()
}
