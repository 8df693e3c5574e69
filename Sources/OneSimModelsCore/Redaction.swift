/// `url` without user-info: `http://user:sk-…@host:8000/v1` becomes `http://***@host:8000/v1`.
/// Use it wherever a URL goes into a message, a log line or a description; any text that is
/// not a URL with user-info comes back unchanged.
package func redactedURL(_ url: String) -> String {
    SecretRedaction.strippingUserInfo(url)
}

/// Scrubbing of secrets (API keys, header values, URL credentials) from text and errors.
///
/// Every secret a call used is replaced by `***` wherever it appears, and the user-info of
/// every `scheme://user:password@host` URL in the text is replaced by `***`, whether or not it
/// was known as a secret (credentials in a `base_url` reach error messages through the URL).
package enum SecretRedaction {
    /// The replacement text.
    package static let mask = "***"

    /// `text` with every secret replaced by `***` and URL user-info removed. Secrets shorter
    /// than 4 characters are ignored (they would mask ordinary words).
    package static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 4 && text.contains(secret) {
            text = text.replacingOccurrences(of: secret, with: mask)
        }
        return strippingUserInfo(text)
    }

    /// `text` with the user-info of every URL in it (`scheme://userinfo@host`) replaced by `***`.
    package static func strippingUserInfo(_ text: String) -> String {
        guard text.contains("@"), text.contains("://") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            // Copy up to and including the next "://".
            if i + 2 < scalars.count, scalars[i] == ":", scalars[i + 1] == "/", scalars[i + 2] == "/" {
                out.append(contentsOf: scalars[i...(i + 2)])
                i += 3
                // The authority runs to the first '/', '?', '#', whitespace or quote.
                var end = i
                var lastAt: Int?
                while end < scalars.count {
                    let c = scalars[end]
                    if c == "/" || c == "?" || c == "#" || c == "\"" || c == "'" || c == "<" || c == ">"
                        || c.properties.isWhitespace
                    {
                        break
                    }
                    if c == "@" { lastAt = end }
                    end += 1
                }
                if let lastAt {
                    out.append(contentsOf: mask.unicodeScalars)
                    i = lastAt  // keeps the '@'
                }
                continue
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }

    /// The secrets a URL carries in its user-info: `user:password` and the password (also
    /// percent-decoded), so an echo of either in a server's reply is scrubbed. A bare user name
    /// is not a secret (and would mask ordinary words such as "user").
    package static func userInfoSecrets(in url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [] }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return [] }
        let userInfo = String(authority[..<at])
        var secrets = [userInfo]
        if let colon = userInfo.firstIndex(of: ":") {
            secrets.append(String(userInfo[userInfo.index(after: colon)...]))
        } else {
            secrets = [userInfo]  // `https://token@host`: the user part is the credential
        }
        var decoded: [String] = []
        for secret in secrets {
            if let plain = secret.removingPercentEncodingIfValid, plain != secret { decoded.append(plain) }
        }
        return (secrets + decoded).filter { !$0.isEmpty }
    }
}

extension String {
    /// The text with `%XX` escapes decoded, or `nil` when an escape is malformed or the result
    /// is not UTF-8 (a Foundation-free `removingPercentEncoding`).
    fileprivate var removingPercentEncodingIfValid: String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let b = iterator.next() {
            if b == UInt8(ascii: "%") {
                guard let h = iterator.next(), let l = iterator.next(), let hi = Self.hexValue(h), let lo = Self.hexValue(l)
                else { return nil }
                bytes.append(hi << 4 | lo)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension ModelError {
    /// This error with `secrets` scrubbed (`SecretRedaction.scrub`) from every string field
    /// that the provider or the transport wrote: message, provider type and code, param,
    /// request id, config name, and every attempt's member and message.
    ///
    /// `partialText` is left as it is: it is the model's own output, which the caller has
    /// already received delta by delta, and like `ModelResponse.text` it is never altered
    /// (`description` does not show it).
    package func redacting(_ secrets: [String]) -> ModelError {
        func scrub(_ text: String) -> String { SecretRedaction.scrub(text, secrets: secrets) }
        var error = self
        error.message = scrub(message)
        error.providerType = providerType.map(scrub)
        error.providerCode = providerCode.map(scrub)
        error.param = param.map(scrub)
        error.requestID = requestID.map(scrub)
        error.configName = configName.map(scrub)
        error.attempts = attempts.map { attempt in
            var attempt = attempt
            attempt.member = scrub(attempt.member)
            attempt.message = scrub(attempt.message)
            return attempt
        }
        return error
    }
}
