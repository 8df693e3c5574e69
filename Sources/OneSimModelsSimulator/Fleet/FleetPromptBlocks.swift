/// The fleet servers' approximate tokenizer: a prompt's tokens are its messages' UTF-8 bytes ÷ 4,
/// and its cache blocks are chained hashes of consecutive `blockTokens × 4`-byte pieces of the
/// messages' role and content, in message order (only full blocks). Two prompts share their
/// leading blocks exactly as far as their leading bytes agree, as in vLLM's prefix cache, so a
/// shared persona matches and an agent's previous prompt is a prefix of its next one.
package enum FleetPromptBlocks {
    /// Bytes per approximate token.
    package static let bytesPerToken = 4

    /// `(blocks, tokens)` of a prompt given as `(role, content)` pairs.
    package static func make(_ messages: [(role: String, content: String)], blockTokens: Int) -> (blocks: [UInt64], tokens: Int) {
        let blockBytes = max(1, blockTokens) &* bytesPerToken
        var blocks: [UInt64] = []
        var chain: UInt64 = 0xcbf2_9ce4_8422_2325
        var hash = chain
        var inBlock = 0
        var total = 0
        func feed(_ byte: UInt8) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            inBlock += 1
            total &+= 1
            if inBlock == blockBytes {
                chain = mix(chain ^ hash)
                blocks.append(chain)
                hash = chain
                inBlock = 0
            }
        }
        for message in messages {
            for byte in message.role.utf8 { feed(byte) }
            feed(0x1F)
            for byte in message.content.utf8 { feed(byte) }
            feed(0x1E)
        }
        return (blocks, (total + bytesPerToken - 1) / bytesPerToken)
    }

    /// SplitMix64's finaliser: spreads the chained FNV state.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
