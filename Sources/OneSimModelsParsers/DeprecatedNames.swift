// Earlier spellings of renamed public types, kept so existing code still compiles (with a
// deprecation warning that names the new spelling). Acronyms are upper-case in type names, as
// in Swift's API design guidelines (`JSONValue`, `JSONCodec`).

/// The earlier name of ``JSONBlockParser``.
@available(*, deprecated, renamed: "JSONBlockParser")
public typealias JsonBlockParser = JSONBlockParser

/// The earlier name of ``JSONDictParser``.
@available(*, deprecated, renamed: "JSONDictParser")
public typealias JsonDictParser = JSONDictParser
