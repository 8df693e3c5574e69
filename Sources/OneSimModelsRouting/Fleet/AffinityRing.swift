/// Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018), for the
/// `affinity` strategy.
///
/// Each member owns `pointsPerMember` points on a 64-bit ring. A key goes to the owner of the
/// first point at or after its hash, unless that member is not a candidate now (busy, cooling
/// down, tried) or already holds more than `ceil(loadFactor × (total + 1) / members)` requests;
/// then to the next member along the ring that qualifies. So a key stays on one member while
/// loads are even, no member ever takes a request that would put it over the bound, and when a
/// member leaves or cools down only its own keys move (to their next owner on the ring).
package struct AffinityRing: Sendable {
    /// Ring points, sorted by hash: the point's hash and its member.
    private let points: [(hash: UInt64, member: Int)]
    /// The members on the ring.
    package let memberCount: Int
    /// `c` in the bound `ceil(c × average)`: at least 1.
    package let loadFactor: Double

    package static let pointsPerMember = 64

    /// A ring over members named `names` (the names place the points, so the same names give
    /// the same ring in every process).
    package init(names: [String], loadFactor: Double) {
        var points: [(hash: UInt64, member: Int)] = []
        points.reserveCapacity(names.count * Self.pointsPerMember)
        for (member, name) in names.enumerated() {
            let base = PromptFingerprint.hash(key: name)
            for replica in 0..<Self.pointsPerMember {
                points.append((PromptFingerprint.mix(base &+ UInt64(replica) &* 0x9E37_79B9_7F4A_7C15), member))
            }
        }
        points.sort { ($0.hash, $0.member) < ($1.hash, $1.member) }
        self.points = points
        memberCount = names.count
        self.loadFactor = loadFactor.isFinite ? max(loadFactor, 1) : 1.25
    }

    /// The most requests a member may hold after taking one more, with `total` in flight over
    /// `members` members.
    package func bound(total: Int, members: Int) -> Int {
        let average = Double(max(total, 0) + 1) / Double(max(members, 1))
        let value = (loadFactor * average).rounded(.up)
        return value >= Double(Int.max / 2) ? Int.max / 2 : max(Int(value), 1)
    }

    /// The member for `key` among `eligible` members (by index), given each member's load.
    /// Returns `nil` only when no member is eligible.
    package func owner(of key: UInt64, eligible: (Int) -> Bool, load: (Int) -> Int, total: Int) -> Int? {
        guard !points.isEmpty else { return nil }
        let limit = bound(total: total, members: memberCount)
        // First point at or after the key (binary search), then walk the ring once.
        var low = 0
        var high = points.count
        while low < high {
            let mid = (low + high) / 2
            if points[mid].hash < key { low = mid + 1 } else { high = mid }
        }
        var seen = 0
        var seenMask: [Bool] = Array(repeating: false, count: memberCount)
        var fallback: (member: Int, load: Int)?
        for step in 0..<points.count {
            let member = points[(low + step) % points.count].member
            if seenMask[member] { continue }
            seenMask[member] = true
            seen += 1
            if eligible(member) {
                let l = load(member)
                if l + 1 <= limit { return member }
                if fallback.map({ l < $0.load }) ?? true { fallback = (member, l) }
            }
            if seen == memberCount { break }
        }
        return fallback?.member
    }
}
