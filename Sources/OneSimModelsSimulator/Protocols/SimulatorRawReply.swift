import HTTPTypes
import Hummingbird
import NIOCore

/// Plays `SimulatorFault.raw`: the scripted status, headers and body bytes, unchanged, for every
/// protocol the simulator speaks.
enum SimulatorRawReply {
    /// A response with `status`, `body` as UTF-8 and `headers`; `content-type` is
    /// `application/json` unless `headers` names one.
    static func response(status: Int, body: String, headers: [String: String]) -> Response {
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
