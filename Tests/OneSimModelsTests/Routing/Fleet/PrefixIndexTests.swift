import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsRouting

@Suite("Fleet dispatch: prompt fingerprints and the prefix index")
struct PrefixIndexTests {
    static let persona = String(repeating: "You are a careful economist in a small town. ", count: 30)

    func prompt(_ system: String, _ turns: [String]) -> Prompt {
        Prompt([SystemMessage(system)] + turns.map { UserMessage($0) })
    }

    @Test("a shared persona gives shared leading blocks; a growing history extends its previous prompt")
    func fingerprints() {
        let a = PromptFingerprint(prompt: prompt(Self.persona, ["agent 1: what do you buy?"]), affinityKey: "agent-1")
        let b = PromptFingerprint(prompt: prompt(Self.persona, ["agent 2: what do you sell?"]), affinityKey: "agent-2")
        let personaBlocks = (Self.persona.utf8.count + 1) / PromptFingerprint.blockBytes
        #expect(personaBlocks >= 4)
        #expect(Array(a.blocks.prefix(personaBlocks)) == Array(b.blocks.prefix(personaBlocks)))
        #expect(a.key != b.key)
        let history = (0..<20).map { "step \($0): I bought bread and sold apples at the market today." }
        let before = PromptFingerprint(prompt: prompt(Self.persona, history), affinityKey: nil)
        let after = PromptFingerprint(prompt: prompt(Self.persona, history + ["step 20: prices rose."]), affinityKey: nil)
        #expect(after.blocks.count >= before.blocks.count)
        #expect(Array(after.blocks.prefix(before.blocks.count)) == before.blocks)
        let other = PromptFingerprint(prompt: prompt("You are a farmer." + Self.persona, ["hi"]), affinityKey: nil)
        #expect(other.blocks.first != a.blocks.first, "a different start shares nothing")
    }

    @Test("the affinity key is not hashed into the blocks; hashing stops at the block cap")
    func keyAndCap() {
        let p = prompt(Self.persona, ["x"])
        #expect(PromptFingerprint(prompt: p, affinityKey: "a").blocks == PromptFingerprint(prompt: p, affinityKey: "b").blocks)
        let huge = String(repeating: "z", count: PromptFingerprint.blockBytes * (PromptFingerprint.maximumBlocks + 50))
        #expect(PromptFingerprint(prompt: prompt(huge, []), affinityKey: nil).blocks.count == PromptFingerprint.maximumBlocks)
    }

    @Test("words and single bytes hash alike, wherever the text starts in the stream")
    func wordAndBytePathsAgree() {
        let text = String(repeating: "Persona text, with ünïcode and 12345 digits. ", count: 40)
        var whole = BlockHasher()
        whole.feed("x" + text)
        var split = BlockHasher()
        split.feed("x")
        split.feed(text)
        var bytes = BlockHasher()
        for byte in ("x" + text).utf8 { bytes.feed(byte: byte) }
        #expect(whole.blocks.count == ("x" + text).utf8.count / PromptFingerprint.blockBytes)
        #expect(whole.blocks == split.blocks)
        #expect(whole.blocks == bytes.blocks)
    }

    @Test("every length and offset hashes alike by whole text, in two pieces and byte by byte")
    func allLengthsAndOffsets() {
        let source = Array(String(repeating: "abcdefghijklmnopqrstuvwxyz0123456789-", count: 40).utf8)
        for offset in 0..<9 {
            for length in stride(from: 0, through: 1_100, by: 7) {
                let head = String(decoding: source.prefix(offset), as: UTF8.self)
                let body = String(decoding: source[offset..<(offset + length)], as: UTF8.self)
                var whole = BlockHasher()
                whole.feed(head + body)
                var split = BlockHasher()
                split.feed(head)
                split.feed(body)
                var bytes = BlockHasher()
                for byte in (head + body).utf8 { bytes.feed(byte: byte) }
                #expect(whole.blocks.count == (offset + length) / PromptFingerprint.blockBytes)
                #expect(whole.blocks == split.blocks, "offset \(offset), length \(length)")
                #expect(whole.blocks == bytes.blocks, "offset \(offset), length \(length)")
            }
        }
        // Blocks differ when one byte differs, wherever it is in the block.
        var a = BlockHasher()
        a.feed(String(decoding: source.prefix(512), as: UTF8.self))
        for position in [0, 7, 8, 31, 32, 100, 255] {
            var changed = Array(source.prefix(512))
            changed[position] ^= 1
            var b = BlockHasher()
            b.feed(String(decoding: changed, as: UTF8.self))
            #expect(b.blocks[0] != a.blocks[0] && b.blocks[1] != a.blocks[1], "byte \(position)")
        }
    }

    @Test("no eight bytes of text can cancel a lane's constant (each holds a byte pair UTF-8 never has)")
    func laneConstantsAreNotText() {
        let secrets = [BlockHasher.secrets.0, BlockHasher.secrets.1, BlockHasher.secrets.2, BlockHasher.secrets.3]
        for secret in secrets {
            let bytes = (0..<8).map { UInt8(truncatingIfNeeded: secret >> UInt64(8 * $0)) }  // little-endian, as loaded
            let impossible = zip(bytes, bytes.dropFirst()).contains { first, next in
                let nextContinues = next & 0xC0 == 0x80
                // ASCII never precedes a continuation byte; a lead byte always precedes one.
                return (first < 0x80 && nextContinues) || (first >= 0xC0 && !nextContinues)
            }
            #expect(impossible, "constant \(String(secret, radix: 16))")
        }
    }

    @Test("matches count leading blocks and report the deepest one's last use and use count")
    func matching() {
        var index = PrefixIndex(capacity: 1_000)
        index.insert([1, 2, 3, 4], stamp: 7)
        #expect(index.match([1, 2, 3, 4, 5, 6]).length == 4)
        #expect(index.match([1, 2, 3, 4, 5, 6]).stamp == 7)
        #expect(index.match([1, 2, 9]).length == 2)
        #expect(index.match([9, 10, 11]).length == 0)
        #expect(index.match([]).length == 0)
        #expect(index.insert([1, 2, 3, 4, 5], stamp: 8) == 4, "insert returns the leading blocks already held")
        #expect(index.insert([9, 2], stamp: 9) == 0, "a block held after a missing one is not a leading hit")
        #expect(index.insert([], stamp: 10) == 0)
        index = PrefixIndex(capacity: 1_000)
        index.insert([1, 2, 3, 4], stamp: 7)
        index.insert([1, 2, 3, 4, 5], stamp: 8)
        #expect(index.queriedBlocks == 9)
        #expect(index.matchedBlocks == 4)
        #expect(index.match([1, 2, 3, 4, 5]).stamp == 8)
        #expect(index.match([1, 2, 3, 4]).uses == 2, "blocks 1-4 were sent twice")
        #expect(index.match([1, 2, 3, 4, 5]).uses == 1, "block 5 once")
        #expect(index.match([9]).uses == 0)
    }

    @Test("the shared part ends where blocks were sent less than a quarter as often as the first")
    func sharedUses() {
        var index = PrefixIndex(capacity: 1_000)
        let persona: [UInt64] = [1, 2, 3, 4]
        for i in 0..<14 { index.insert(persona + [UInt64(500 + i)], stamp: UInt64(i)) }
        // One agent's history, sent twice (its own earlier prompts), then once more.
        index.insert(persona + [100, 101], stamp: 10)
        index.insert(persona + [100, 101, 102], stamp: 11)
        let m = index.match(persona + [100, 101, 102, 103])
        #expect(m.length == 7)
        #expect(m.uses == 1)
        #expect(m.sharedUses == 16, "the persona's last block: 16 sends; the history's 2 are under 16 / 4")
        #expect(index.match(persona).sharedUses == 16)
        // A header every prompt starts with: the persona after it is shared while it carries at
        // least a quarter of the header's traffic.
        var headed = PrefixIndex(capacity: 1_000)
        for i in 0..<40 { headed.insert([7, UInt64(1_000 + i % 10)], stamp: UInt64(i)) }  // header 7, then ten rare personas
        for i in 0..<16 { headed.insert([7, 8, 9], stamp: UInt64(100 + i)) }  // a main persona: 16 sends
        for i in 0..<3 { headed.insert([7, 20, 21], stamp: UInt64(200 + i)) }  // a rare one: 3 sends
        // The header has 59 sends: a quarter is 14.
        #expect(headed.match([7, 8, 9, 42]).sharedUses == 16, "the main persona is shared")
        #expect(headed.match([7, 20, 21]).sharedUses == 59, "the rare one is not: only the header is")
        #expect(headed.match([7]).sharedUses == 59)
        #expect(headed.match([99]).sharedUses == 0)
    }

    @Test("the shared part found from each entry's remembered depth equals the one a full search finds")
    func sharedDepthHintAgreesWithTheDefinition() {
        var index = PrefixIndex(capacity: 1 << 20)
        var counts: [UInt64: UInt32] = [:]
        var rootAt: [UInt64: UInt32] = [:]
        var rng = SplitMix64(seed: 11)
        // 6 personas of 6 to 10 blocks, 60 agents whose histories grow by 0 to 3 blocks a send.
        var personas: [[UInt64]] = []
        for p in 0..<6 {
            let base = UInt64(1_000 * (p + 1))
            personas.append((0..<(6 + p % 5)).map { base + UInt64($0) })
        }
        var histories: [[UInt64]] = Array(repeating: [], count: 60)
        var nextBlock: UInt64 = 1_000_000
        func blocks(_ agent: Int) -> [UInt64] { personas[agent % personas.count] + histories[agent] }
        func reference(_ blocks: [UInt64]) -> UInt32 {
            let length = blocks.prefix { counts[$0] != nil }.count
            guard length > 0 else { return 0 }
            let deepest = blocks[length - 1]
            let rootUses = max(rootAt[deepest] ?? 0, counts[deepest] ?? 0)
            let threshold = max(2, rootUses / 4)
            if (counts[deepest] ?? 0) >= threshold { return counts[deepest] ?? 0 }
            guard rootUses >= threshold else { return 0 }
            return blocks[0..<(length - 1)].last { (counts[$0] ?? 0) >= threshold }.flatMap { counts[$0] } ?? 0
        }
        for stamp in 1...4_000 as ClosedRange<UInt64> {
            let agent = Int(rng.next() % 60)
            for _ in 0..<Int(rng.next() % 4) {
                histories[agent].append(nextBlock)
                nextBlock += 1
            }
            let sent = blocks(agent)
            // Query first: the agent's prompt, and another agent's of the same persona.
            for query in [sent, blocks((agent + 6) % 60)] {
                let match = index.match(query)
                #expect(match.sharedUses == reference(query), "at send \(stamp)")
            }
            index.insert(sent, stamp: stamp)
            let root = (counts[sent[0]] ?? 0) + 1
            for block in sent {
                counts[block, default: 0] += 1
                rootAt[block] = root
            }
        }
    }

    /// Random prompts of 5 personas of 6 blocks and 40 agents' growing histories, inserted into
    /// an index small enough that its generations turn in the middle of inserts.
    static func churn(_ body: (PrefixIndex, [[UInt64]]) -> Void) {
        var index = PrefixIndex(capacity: 64)
        var rng = SplitMix64(seed: 23)
        let personas = (0..<5).map { p in (0..<6).map { UInt64(1_000 * (p + 1) + $0) } }
        var histories: [[UInt64]] = Array(repeating: [], count: 40)
        var next: UInt64 = 1_000_000
        var sent: [[UInt64]] = []
        for stamp in 1...3_000 as ClosedRange<UInt64> {
            let agent = Int(rng.next() % 40)
            for _ in 0..<Int(rng.next() % 3) {
                histories[agent].append(next)
                next += 1
            }
            let blocks = personas[agent % 5] + histories[agent]
            index.insert(blocks, stamp: stamp)
            sent.append(blocks)
            if sent.count > 50 { sent.removeFirst() }
            body(index, sent)
        }
    }

    @Test("under eviction a block is held only with every block before it, and sent at most as often")
    func presenceAndCountsAreMonotone() {
        var checked = 0
        Self.churn { index, sent in
            for blocks in sent {
                var previous: UInt32? = .max
                for block in blocks {
                    let uses = index.uses(of: block)
                    if let uses {
                        #expect(previous != nil, "a block held after one that was dropped")
                        #expect(uses <= previous ?? 0, "a block sent more often than the one before it")
                        checked += 1
                    }
                    previous = uses
                }
            }
        }
        #expect(checked > 10_000)
    }

    @Test("the matched length is the count of leading blocks held, however far from the end it stops")
    func matchLengthAgreesWithALinearScan() {
        var checked = (held: 0, oneShort: 0, searched: 0)
        Self.churn { index, sent in
            for blocks in sent.suffix(8) {
                // The prompt as sent, cut short, and followed by 1 to 3 blocks never sent: the
                // match stops at the end, one block short of it, or further in.
                for query in [blocks, Array(blocks.prefix(3)), blocks + [7], blocks + [7, 8], blocks + [7, 8, 9]] {
                    let length = query.prefix { index.uses(of: $0) != nil }.count
                    let match = index.match(query)
                    #expect(match.length == length)
                    #expect(match.uses == (length == 0 ? 0 : index.uses(of: query[length - 1]) ?? 0))
                    switch query.count - length {
                    case 0: checked.held += 1
                    case 1: checked.oneShort += 1
                    default: checked.searched += 1
                    }
                }
            }
        }
        #expect(checked.held > 1_000 && checked.oneShort > 1_000 && checked.searched > 1_000)
    }

    @Test("two lookups rule a waiter out only when its full rank is below the bound")
    func mayOutrankNeverRulesOutABetterWaiter() {
        var ruledOut = 0
        var kept = 0
        Self.churn { index, sent in
            func rank(_ blocks: [UInt64]) -> (Int, Int) {
                let m = index.match(blocks)
                return (PrefixIndex.level(m.sharedUses), -(blocks.count - m.length))
            }
            let bound = rank(sent[sent.count / 2])
            for blocks in sent {
                for strictly in [false, true] {
                    let full = rank(blocks)
                    if index.mayOutrank(blocks, sharedLevel: bound.0, uncached: -bound.1, strictly: strictly) {
                        kept += 1
                    } else {
                        #expect(strictly ? full <= bound : full < bound, "ruled out a waiter of rank \(full) against \(bound)")
                        ruledOut += 1
                    }
                }
            }
        }
        #expect(ruledOut > 10_000, "most waiters are ruled out by the two lookups")
        #expect(kept > 1_000)
    }

    @Test("the index never holds more than its capacity, and recently used blocks survive eviction")
    func eviction() {
        var index = PrefixIndex(capacity: 100)
        let hot: [UInt64] = [1_000_001, 1_000_002]
        for i in 0..<10_000 {
            index.insert([UInt64(i) &* 7 &+ 13], stamp: UInt64(i))
            if i % 10 == 0 { index.insert(hot, stamp: UInt64(i)) }
            #expect(index.count <= 100)
        }
        #expect(index.match(hot).length == 2, "blocks touched every few inserts stay")
        #expect(index.match([13]).length == 0, "the first block, never touched again, is gone")
    }
}
