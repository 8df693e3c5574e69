/// Errors of the simulator itself.
public enum SimulatorError: Error, CustomStringConvertible {
    /// The server could not bind to the host and port (in that order), e.g. a port in use.
    case couldNotBind(String, Int)

    /// `simulator could not bind to <host>:<port>`.
    public var description: String {
        switch self {
        case .couldNotBind(let host, let port): return "simulator could not bind to \(host):\(port)"
        }
    }
}
