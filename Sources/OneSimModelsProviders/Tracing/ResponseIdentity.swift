import NIOCore
import OneSimModelsCore

/// The reply's own id and model name, read from the top level of a JSON body for the span's
/// `gen_ai.response.id` and `gen_ai.response.model`: `id`/`model` (OpenAI, Anthropic, Ollama)
/// or `responseId`/`modelVersion` (Gemini).
///
/// Only called when a span records; it walks the top level and skips every other member
/// without building values. A body that is not a JSON object, or values that are not short
/// strings (at most 256 bytes), give `nil`s.
struct ResponseIdentity {
    var id: String?
    var model: String?

    static func read(_ body: ByteBuffer) -> ResponseIdentity {
        var identity = ResponseIdentity()
        body.withUnsafeReadableBytes { buffer in
            var reader = JSONReader(buffer: buffer, position: 0)
            guard reader.peek() == UInt8(ascii: "{") else { return }
            try? reader.readMembers(depth: 0) { (reader, key: JSONKey) throws(JSONSyntaxError) in
                let isID = key == "id" || key == "responseId"
                let isModel = key == "model" || key == "modelVersion"
                guard isID || isModel, reader.peek() == UInt8(ascii: "\"") else { return false }
                let value = try reader.readString()
                guard !value.isEmpty, value.utf8.count <= 256 else { return true }
                if isID { identity.id = value } else { identity.model = value }
                return true
            }
        }
        return identity
    }
}
