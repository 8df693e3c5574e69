import OneSimModelsCore

/// Which keys of a parsed JSON object to pass on: the original's `keys_to_content` /
/// `keys_to_metadata` specification (`True`, `False`, a key, or a list of keys).
///
/// Literals work as in Python: `true`, `false`, `"speech"`, `["thought", "speech"]`.
public enum KeySelection: Sendable, Hashable, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral
{
    /// The whole object (`True`).
    case all
    /// Nothing: the filter returns `nil` (`False`).
    case nothing
    /// The value of one key, or `nil` when it is absent (a string).
    case key(String)
    /// An object with those of the keys that are present (a list).
    case keys([String])

    /// `true` selects everything, `false` nothing.
    public init(booleanLiteral value: Bool) { self = value ? .all : .nothing }
    /// `.key(value)`: a string literal selects that one key.
    public init(stringLiteral value: String) { self = .key(value) }
    /// `.keys(elements)`: an array literal selects those keys (`[]` gives an empty object).
    public init(arrayLiteral elements: String...) { self = .keys(elements) }

    /// Applies the selection to a parsed value. For `.key` and `.keys`, a value that is not an
    /// object gives `nil`.
    package func select(from value: JSONValue) -> JSONValue? {
        switch self {
        case .all: return value
        case .nothing: return nil
        case .key(let key): return value[key]
        case .keys(let keys):
            guard case .object(let members) = value else { return nil }
            return .object(members.filter { keys.contains($0.key) })
        }
    }
}
