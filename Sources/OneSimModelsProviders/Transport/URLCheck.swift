import OneSimModelsCore

/// Checks the parts of a request URL that the HTTP stack would otherwise trap on or
/// misread: the scheme, an empty host and the port range (NIO converts the port to 16 bits).
///
/// It scans only the scheme and authority, so it is cheap enough to run on every request.
package enum URLCheck {
    /// What is wrong with `url` (`"has port 99999, outside 1...65535"`), or `nil` when its
    /// scheme is http or https, it has a host, and its port, if any, is in `1...65535`.
    /// The message never repeats the URL, which may hold credentials.
    package static func problem(in url: String) -> String? {
        var bytes = Substring(url).utf8[...]
        let schemes = ["http://", "https://"]
        guard let scheme = schemes.first(where: { bytes.starts(with: $0.utf8, by: asciiCaseInsensitive) }) else {
            return "must start with http:// or https://"
        }
        bytes = bytes.dropFirst(scheme.utf8.count)
        var authority = bytes.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.index(after: at)...] }
        var portText: Substring.UTF8View.SubSequence?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return "has an unclosed IPv6 address" }
            let rest = authority[authority.index(after: close)...]
            if let colon = rest.first {
                guard colon == UInt8(ascii: ":") else { return "has characters after its IPv6 address" }
                portText = rest.dropFirst()
            }
            if authority.distance(from: authority.startIndex, to: close) <= 1 { return "has no host" }
        } else {
            let host = authority.prefix { $0 != UInt8(ascii: ":") }
            if host.isEmpty { return "has no host" }
            if host.count < authority.count { portText = authority.dropFirst(host.count + 1) }
        }
        guard let portText else { return nil }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let port = Int(Substring(portText)), (1...65_535).contains(port)
        else {
            return "has port '\(String(decoding: portText.prefix(20), as: UTF8.self))', outside 1...65535"
        }
        return nil
    }

    private static func asciiCaseInsensitive(_ a: UInt8, _ b: UInt8) -> Bool {
        let lower = { (c: UInt8) in c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 0x20 : c }
        return lower(a) == b
    }
}
