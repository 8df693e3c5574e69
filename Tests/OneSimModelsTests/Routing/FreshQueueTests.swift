import Testing

@testable import OneSimModelsRouting

/// The fresh waiters' FIFO: removal from anywhere, the head always waiting, the look-ahead's
/// bounded visit.
@Suite("Fresh queue")
struct FreshQueueTests {
    func queue(_ ids: [UInt64]) -> FreshQueue {
        var q = FreshQueue()
        for id in ids { q.append(id, fingerprint: PromptFingerprint(blocks: [id * 10])) }
        return q
    }

    @Test("waiters leave from the middle and the front; the head is always one that waits")
    func removal() {
        var q = queue([1, 2, 3, 5, 8, 13])
        #expect(q.count == 6 && q.first == 1)
        let removed = q.remove(5)
        let again = q.remove(5)
        let never = q.remove(4)
        #expect(removed)
        #expect(!again, "already gone")
        #expect(!never, "never there")
        #expect(q.ids == [1, 2, 3, 8, 13])
        q.remove(2)
        q.remove(3)
        #expect(q.first == 1)
        q.remove(1)
        #expect(q.first == 8, "2, 3 and 5 left earlier: the next waiting id is the head")
        #expect(q.count == 2)
        q.remove(13)
        q.remove(8)
        #expect(q.isEmpty && q.first == nil && q.ids.isEmpty)
        q.append(21, fingerprint: .none)
        #expect(q.first == 21 && q.count == 1)
    }

    @Test("the look-ahead sees waiting entries in order, and entries that left count toward its bound")
    func boundedVisit() {
        var q = queue(Array(1...10))
        for id: UInt64 in [2, 3, 4] { q.remove(id) }
        var seen: [UInt64] = []
        q.forEachWaiting(visitingAtMost: 6) { entry in
            seen.append(entry.id)
            #expect(entry.fingerprint.blocks == [entry.id * 10])
            return true
        }
        #expect(seen == [1, 5, 6], "six entries visited, three of them gone")
        seen = []
        q.forEachWaiting(visitingAtMost: 100) { entry in
            seen.append(entry.id)
            return seen.count < 2
        }
        #expect(seen == [1, 5], "the body stops the visit")
    }

    @Test("many removals in random order keep the queue equal to a plain FIFO")
    func againstAnArray() {
        var q = FreshQueue()
        var model: [UInt64] = []
        var rng = SplitMix64(seed: 7)
        var next: UInt64 = 1
        for _ in 0..<5_000 {
            if model.isEmpty || rng.next() % 3 != 0 {
                q.append(next, fingerprint: .none)
                model.append(next)
                next += 1
            } else {
                let i = Int(rng.next() % UInt64(model.count))
                let removed = q.remove(model[i])
                #expect(removed)
                model.remove(at: i)
                // Ids that left, that never came, and that are not yet given out are not found
                // wherever the search for them ends.
                let gone = rng.next() % next
                if !model.contains(gone) {
                    let found = q.remove(gone)
                    #expect(!found, "id \(gone) left or never came")
                }
                let ahead = q.remove(next + rng.next() % 100)
                #expect(!ahead)
            }
            #expect(q.count == model.count)
            #expect(q.first == model.first)
        }
        #expect(q.ids == model)
    }

    @Test("a queue served mostly from the front drops the entries that left in bulk and keeps its order")
    func servedFromTheFront() {
        var q = FreshQueue()
        var model: [UInt64] = []
        var rng = SplitMix64(seed: 19)
        var next: UInt64 = 1
        for step in 0..<20_000 {
            if model.count < 50 || rng.next() % 2 == 0 {
                q.append(next, fingerprint: PromptFingerprint(blocks: [next]))
                model.append(next)
                next += 1
            } else {
                // The head most of the time (FIFO service), sometimes a waiter behind it.
                let i = rng.next() % 4 == 0 ? Int(rng.next() % UInt64(min(model.count, 40))) : 0
                let removed = q.remove(model[i])
                #expect(removed)
                model.remove(at: i)
            }
            #expect(q.first == model.first)
            if step % 97 == 0 {
                var seen: [UInt64] = []
                q.forEachWaiting(visitingAtMost: .max) { entry in
                    seen.append(entry.id)
                    #expect(entry.fingerprint.blocks == [entry.id])
                    return true
                }
                #expect(seen == model)
            }
        }
        #expect(next > 9_000, "thousands of waiters passed through the front")
        #expect(q.ids == model)
    }
}
