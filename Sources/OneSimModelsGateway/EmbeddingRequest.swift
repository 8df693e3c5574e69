import OneSimModels

/// An OpenAI `/v1/embeddings` body: `input` as a string or an array of strings, `dimensions`,
/// `encoding_format` (`float` or `base64`, encoded here from the member's floats), `user`.
struct EmbeddingRequest: Sendable {
    var model: String
    var texts: [String]
    var base64: Bool
    var options: CallOptions

    static let maxInputs = 2_048

    init(_ body: JSONValue) throws(GatewayError) {
        guard case .object(let object) = body else {
            throw GatewayError(400, "the request body must be a JSON object, got \(body.typeName)", code: "invalid_type")
        }
        model = try Field.requiredString(object, "model")
        switch object["input"] {
        case .string(let s)?:
            texts = [s]
        case .array(let items)? where !items.isEmpty && items.count <= Self.maxInputs:
            var out: [String] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue else {
                    throw GatewayError.invalid(
                        "input[\(i)]", "'input[\(i)]' must be a string (token arrays are not supported by the gateway), got \(item.typeName)",
                        code: "invalid_type")
                }
                out.append(s)
            }
            texts = out
        case nil, .null?:
            throw GatewayError.invalid("input", "missing required parameter: 'input'", code: "missing_required_parameter")
        case let other?:
            throw GatewayError.invalid(
                "input", "'input' must be a string or an array of 1 to \(Self.maxInputs) strings, got \(other.typeName)\(other.arrayValue.map { " of \($0.count) elements" } ?? "")",
                code: "invalid_type")
        }
        switch try Field.string(object, "encoding_format", prefix: "") {
        case nil, "float"?: base64 = false
        case "base64"?: base64 = true
        case let other?:
            throw GatewayError.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64', got '\(other.prefix(40))'", code: "unsupported_value")
        }
        var options = CallOptions()
        if let dimensions = try Field.int(object, "dimensions", in: 1...65_536) { options.extraBody["dimensions"] = .int(dimensions) }
        if let user = try Field.string(object, "user"), !user.isEmpty { options.affinityKey = user }
        for (key, value) in object where !["model", "input", "encoding_format", "dimensions", "user"].contains(key) {
            options.extraBody[key] = value
        }
        self.options = options
    }
}
