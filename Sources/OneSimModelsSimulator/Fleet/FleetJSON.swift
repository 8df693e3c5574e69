import Foundation

/// A JSON value read with Foundation's decoder, for the fleet's untrusted files (booleans and
/// numbers stay apart; Foundation bounds the nesting depth).
package enum FleetJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FleetJSON])
    case object([String: FleetJSON])

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([FleetJSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: FleetJSON].self))
        }
    }

    /// Parses `data` as one JSON value.
    package static func parse(_ data: Data) throws -> FleetJSON {
        try JSONDecoder().decode(FleetJSON.self, from: data)
    }

    /// The JSON type's name, for error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// An integer in `range`, or a message saying why not.
    package func integer(in range: ClosedRange<Int>) -> Result<Int, FleetConfigError> {
        guard case .number(let d) = self else { return .failure(FleetConfigError("must be an integer, got \(typeName)")) }
        guard d.isFinite, d.rounded() == d, d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            return .failure(FleetConfigError("must be an integer from \(range.lowerBound) to \(range.upperBound), got \(d)"))
        }
        return .success(Int(d))
    }

    /// A finite number in `range`, or a message saying why not.
    package func number(in range: ClosedRange<Double>) -> Result<Double, FleetConfigError> {
        guard case .number(let d) = self else { return .failure(FleetConfigError("must be a number, got \(typeName)")) }
        guard d.isFinite, range.contains(d) else {
            return .failure(FleetConfigError("must be a number from \(range.lowerBound) to \(range.upperBound), got \(d)"))
        }
        return .success(d)
    }
}
