/// Writes JSON straight into bytes, member by member: request bodies are built without an
/// intermediate `[String: JSONValue]` tree (no hashing, nothing to free afterwards).
///
/// Objects and arrays nest in the same buffer; the writer adds the commas. A member is a
/// `key` followed by one value (`value`, `string`, or an opened object or array); an array
/// element is a value written without a key.
package struct JSONWriter {
    /// The bytes written so far.
    package var bytes: [UInt8]
    /// Whether the innermost open object or array has no member yet.
    private var atStart = true
    /// Whether a key was just written, so the next value needs no comma.
    private var afterKey = false

    /// A writer with room for `capacity` bytes.
    package init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    private mutating func separate() {
        if afterKey {
            afterKey = false
        } else if atStart {
            atStart = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Writes `"key":`; the next call writes its value.
    package mutating func key(_ key: String) {
        separate()
        JSONCodec.writeString(key, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes a value (a member's after `key`, or an array element).
    package mutating func value(_ value: JSONValue) {
        separate()
        JSONCodec.write(value, into: &bytes)
    }

    /// Writes a string value.
    package mutating func string(_ string: String) {
        separate()
        JSONCodec.writeString(string, into: &bytes)
    }

    /// Writes bytes that already are one JSON value.
    package mutating func rawValue(_ json: StaticString) {
        separate()
        json.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Opens an object value.
    package mutating func openObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atStart = true
    }

    /// Opens an array value.
    package mutating func openArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        atStart = true
    }

    /// Closes the innermost object.
    package mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        atStart = false
    }

    /// Closes the innermost array.
    package mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        atStart = false
    }

    /// `key` then `value`.
    package mutating func field(_ key: String, _ value: JSONValue) {
        self.key(key)
        self.value(value)
    }

    /// `key` then a string value.
    package mutating func field(_ key: String, string: String) {
        self.key(key)
        self.string(string)
    }
}
