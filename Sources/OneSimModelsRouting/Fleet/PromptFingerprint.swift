import OneSimModelsCore

/// What the fleet dispatch knows of a request: chained hashes of its prompt's leading blocks
/// and a hash of its affinity key.
///
/// The prompt is read in message order as one byte stream (each message's role, its text and
/// image references, a separator) cut into fixed blocks of `blockBytes` bytes (about 64 tokens);
/// block *i*'s hash covers every byte up to the end of block *i*, so two prompts share their
/// first *k* hashes exactly when they share their first *k* blocks: a persona shared by
/// thousands of agents matches, and an agent's previous prompt matches the start of its next,
/// longer one. Only whole blocks count (a server's prefix cache works on whole blocks too), and
/// at most `maximumBlocks` are hashed, so the cost is bounded by the prompt's first 128 KB.
///
/// The affinity key is not hashed into the blocks: a unique key per call must not break a
/// shared persona's match; it only breaks ties.
package struct PromptFingerprint: Sendable, Hashable {
    /// Chained hashes of the prompt's whole blocks, in order.
    package var blocks: [UInt64]
    /// A hash of the call's affinity key, if it has one.
    package var key: UInt64?

    /// Bytes per block.
    package static let blockBytes = 256
    /// The most blocks hashed.
    package static let maximumBlocks = 512

    package init(blocks: [UInt64] = [], key: UInt64? = nil) {
        self.blocks = blocks
        self.key = key
    }

    /// No prompt and no key: nothing to match.
    package static let none = PromptFingerprint()

    /// The fingerprint of `prompt`, with `affinityKey`.
    package init(prompt: Prompt, affinityKey: String?) {
        var hasher = BlockHasher()
        // Room for every block of the messages' text (one allocation, not one per doubling).
        var bytes = 0
        for message in prompt.messages {
            if case .text(let text) = message.content { bytes = bytes.saturatingAdd(text.utf8.count) }
        }
        hasher.reserveCapacity(bytes: bytes)
        outer: for message in prompt.messages {
            hasher.feed(byte: UInt8(truncatingIfNeeded: message.role.rawValue.utf8.first ?? 0))
            switch message.content {
            case .text(let text):
                hasher.feed(text)
            case .parts(let parts):
                for part in parts {
                    switch part {
                    case .text(let text): hasher.feed(text)
                    case .imageURL(let url, _): hasher.feed(url)
                    case .imageFile(let path, _): hasher.feed(path)
                    case .imageData(let data, _, _): hasher.feed(word: UInt64(truncatingIfNeeded: data.hashValue))
                    }
                    if hasher.isFull { break outer }
                }
            }
            for call in message.toolCalls {
                hasher.feed(call.name)
                hasher.feed(call.arguments)
            }
            hasher.feed(byte: 0x1E)
            if hasher.isFull { break }
        }
        self.blocks = hasher.blocks
        self.key = affinityKey.map(Self.hash(key:))
    }

    /// A stable 64-bit hash of an affinity key (FNV-1a, then mixed).
    package static func hash(key: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return mix(h)
    }

    /// A 64-bit finalizer (SplitMix64's).
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Cuts a byte stream into blocks and chains their hashes, eight bytes at a time: a whole
/// little-endian word is absorbed at once when the stream is at a word boundary, byte by byte
/// otherwise, with the same result either way (blocks are a whole number of words).
///
/// Within a block, words go in pairs, pair *p* to lane *p* mod 4: one 64 × 64 → 128-bit
/// multiply absorbs a pair (its halves folded by XOR, as wyhash does), so four independent
/// chains run side by side at 16 bytes per multiply. At the block's end the lanes are folded
/// into the previous block's hash, so a block's hash covers every byte before its end. The lane
/// constants contain bytes that valid UTF-8 never has at those positions, so no word of text
/// can cancel one and erase its lane.
struct BlockHasher {
    private(set) var blocks: [UInt64] = []
    /// The previous block's hash (a constant before the first).
    private var chain: UInt64 = 0x9E37_79B9_7F4A_7C15
    private var l0 = BlockHasher.laneSeeds.0
    private var l1 = BlockHasher.laneSeeds.1
    private var l2 = BlockHasher.laneSeeds.2
    private var l3 = BlockHasher.laneSeeds.3
    private var word: UInt64 = 0
    private var wordBytes = 0
    /// The first word of a pair whose second has not come yet.
    private var pending: UInt64 = 0
    /// Words absorbed into the current block.
    private var blockWords = 0

    static let laneSeeds: (UInt64, UInt64, UInt64, UInt64) = (
        0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
    )
    /// Each lane's constant (wyhash's secrets).
    static let secrets: (UInt64, UInt64, UInt64, UInt64) = (
        0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB, 0x8EBC_6AF0_9C88_C6E3, 0x5899_65CC_7537_4CC3
    )
    static let wordsPerBlock = PromptFingerprint.blockBytes / 8

    var isFull: Bool { blocks.count >= PromptFingerprint.maximumBlocks }

    /// Makes room for the blocks of `bytes` bytes (at most `maximumBlocks`).
    mutating func reserveCapacity(bytes: Int) {
        blocks.reserveCapacity(min(bytes / PromptFingerprint.blockBytes + 1, PromptFingerprint.maximumBlocks))
    }

    mutating func feed(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            var i = 0
            while i < raw.count, !isFull {
                if wordBytes == 0 && blockWords == 0 && raw.count - i >= PromptFingerprint.blockBytes {
                    // A whole block at once, its lanes in registers (they start from the seeds).
                    var (a, b, c, d) = Self.laneSeeds
                    var j = i
                    let end = i + PromptFingerprint.blockBytes
                    while j < end {
                        a = Self.step(a, Self.load(raw, j), Self.load(raw, j + 8), Self.secrets.0)
                        b = Self.step(b, Self.load(raw, j + 16), Self.load(raw, j + 24), Self.secrets.1)
                        c = Self.step(c, Self.load(raw, j + 32), Self.load(raw, j + 40), Self.secrets.2)
                        d = Self.step(d, Self.load(raw, j + 48), Self.load(raw, j + 56), Self.secrets.3)
                        j += 64
                    }
                    (l0, l1, l2, l3) = (a, b, c, d)
                    blockWords = Self.wordsPerBlock
                    i = end
                    endBlock()
                } else if wordBytes == 0 && raw.count - i >= 8 {
                    absorb(Self.load(raw, i))
                    i += 8
                } else {
                    feed(byte: raw[i])
                    i += 1
                }
            }
        }
    }

    mutating func feed(word value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { feed(byte: UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    @inline(__always)
    mutating func feed(byte: UInt8) {
        guard !isFull else { return }
        word |= UInt64(byte) << UInt64(wordBytes * 8)
        wordBytes += 1
        if wordBytes == 8 {
            let full = word
            word = 0
            wordBytes = 0
            absorb(full)
        }
    }

    /// The little-endian word at `offset`.
    @inline(__always)
    static func load(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The high and low halves of `a × b`, XORed.
    @inline(__always)
    static func mum(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    /// One lane's step: absorb a pair of words.
    @inline(__always)
    static func step(_ lane: UInt64, _ first: UInt64, _ second: UInt64, _ secret: UInt64) -> UInt64 {
        mum(first ^ secret, second ^ lane)
    }

    /// Absorbs one whole word (the stream is at a word boundary): the first of a pair waits for
    /// the second, which completes its lane's step; ends a block when it is full.
    @inline(__always)
    private mutating func absorb(_ value: UInt64) {
        if blockWords & 1 == 0 {
            pending = value
        } else {
            switch (blockWords >> 1) & 3 {
            case 0: l0 = Self.step(l0, pending, value, Self.secrets.0)
            case 1: l1 = Self.step(l1, pending, value, Self.secrets.1)
            case 2: l2 = Self.step(l2, pending, value, Self.secrets.2)
            default: l3 = Self.step(l3, pending, value, Self.secrets.3)
            }
        }
        blockWords += 1
        if blockWords == Self.wordsPerBlock { endBlock() }
    }

    /// Folds the lanes into the chain, records the block's hash and starts the next block.
    private mutating func endBlock() {
        let folded = Self.mum(l0 ^ Self.secrets.0, l1 ^ Self.secrets.1) ^ Self.mum(l2 ^ Self.secrets.2, l3 ^ Self.secrets.3)
        chain = Self.mum(chain ^ Self.secrets.2, folded ^ Self.secrets.3)
        blocks.append(chain)
        (l0, l1, l2, l3) = Self.laneSeeds
        blockWords = 0
    }
}
