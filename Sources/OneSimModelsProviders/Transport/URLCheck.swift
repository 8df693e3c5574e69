import OneSimModelsCore

/// Checks the parts of a request URL that the HTTP stack would otherwise trap on or
/// misread: the scheme, an empty host and the port range (NIO converts the port to 16 bits).
///
/// It scans only the scheme and authority, so it is cheap enough to run on every request.
package enum URLCheck {
    /// The parts of a request URL the HTTP stack and the spans use.
    package struct Authority: Sendable, Hashable {
        /// `https` (else `http`).
        package var isHTTPS: Bool
        /// The host, without IPv6 brackets.
        package var host: String
        /// The port written in the URL, in `1...65535`, or `nil` (the scheme's).
        package var port: Int?
        /// The written port, else the scheme's (443, 80).
        package var effectivePort: Int { port ?? (isHTTPS ? 443 : 80) }
    }

    /// What is wrong with `url` (`"has port 99999, outside 1...65535"`), or `nil` when its
    /// scheme is http or https, it has a host, and its port, if any, is in `1...65535`.
    /// The message never repeats the URL, which may hold credentials.
    package static func problem(in url: String) -> String? {
        if case .failure(let problem) = authority(of: url) { return problem.message }
        return nil
    }

    /// Why a URL was refused: a message that never repeats the URL.
    package struct Problem: Error, Sendable {
        package var message: String
    }

    /// The scheme, host and port of `url` (user info dropped), or what is wrong with it (see
    /// `problem(in:)`).
    package static func authority(of url: String) -> Result<Authority, Problem> {
        var bytes = Substring(url).utf8[...]
        let schemes = ["http://", "https://"]
        guard let scheme = schemes.first(where: { bytes.starts(with: $0.utf8, by: asciiCaseInsensitive) }) else {
            return .failure(Problem(message: "must start with http:// or https://"))
        }
        bytes = bytes.dropFirst(scheme.utf8.count)
        var authority = bytes.prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[authority.index(after: at)...] }
        var portText: Substring.UTF8View.SubSequence?
        let host: Substring.UTF8View.SubSequence
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                return .failure(Problem(message: "has an unclosed IPv6 address"))
            }
            let rest = authority[authority.index(after: close)...]
            if let colon = rest.first {
                guard colon == UInt8(ascii: ":") else { return .failure(Problem(message: "has characters after its IPv6 address")) }
                portText = rest.dropFirst()
            }
            if authority.distance(from: authority.startIndex, to: close) <= 1 { return .failure(Problem(message: "has no host")) }
            host = authority[authority.index(after: authority.startIndex)..<close]
        } else {
            host = authority.prefix { $0 != UInt8(ascii: ":") }
            if host.isEmpty { return .failure(Problem(message: "has no host")) }
            if host.count < authority.count { portText = authority.dropFirst(host.count + 1) }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = Int(Substring(portText)), (1...65_535).contains(value)
            else {
                return .failure(Problem(message: "has port '\(String(decoding: portText.prefix(20), as: UTF8.self))', outside 1...65535"))
            }
            port = value
        }
        return .success(Authority(isHTTPS: scheme == "https://", host: String(Substring(host)), port: port))
    }

    private static func asciiCaseInsensitive(_ a: UInt8, _ b: UInt8) -> Bool {
        let lower = { (c: UInt8) in c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c + 0x20 : c }
        return lower(a) == b
    }
}
