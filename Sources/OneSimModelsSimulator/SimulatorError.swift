/// Errors of the simulator itself.
public enum SimulatorError: Error, CustomStringConvertible {
    /// The server could not bind.
    case couldNotBind(String, Int)

    /// A readable message.
    public var description: String {
        switch self {
        case .couldNotBind(let host, let port): return "simulator could not bind to \(host):\(port)"
        }
    }
}
