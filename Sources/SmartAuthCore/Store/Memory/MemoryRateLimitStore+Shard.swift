import Foundation

/// The key of one entry of ``MemoryRateLimitStore``: rate-limit state and failure records live in separate
/// namespaces, so one string can key both.
struct RateLimitEntryKey: Hashable, Sendable {
    enum Kind: UInt8, Hashable, Sendable {
        case rateLimit
        case failures
    }

    var kind: Kind
    var name: String

    /// Which of `count` shards holds the key. The hash is seeded per process, so an attacker cannot choose keys
    /// that all land in one shard; the multiply spreads its bits before the modulo.
    func shard(of count: Int) -> Int {
        let mixed = UInt64(UInt(bitPattern: hashValue)) &* 0x9E37_79B9_7F4A_7C15
        return Int((mixed >> 32) % UInt64(count))
    }
}

/// What ``MemoryRateLimitStore`` keeps under one key.
enum RateLimitValue: Sendable {
    /// A GCRA theoretical arrival time, in microseconds since 1970.
    case tat(Int64)
    /// A failure record.
    case failures(FailureRecord)
}

/// One shard of ``MemoryRateLimitStore``: entries in a slab, a map from key to slot, and a binary min-heap of
/// the entries by expiry.
///
/// The heap gives the shard's two bounds their cost: expired entries are at its top, so every operation removes
/// a few of them in O(log n) each (``removeExpired(at:limit:)``), and when the shard is full the entry that
/// expires first is at its top, ready to evict in O(log n). Each slab record knows its heap position, so
/// changing an entry's expiry moves it in the heap without any search; sifting touches only arrays, never the
/// dictionary.
struct RateLimitShard {
    private struct Record {
        var key: RateLimitEntryKey
        var value: RateLimitValue
        var expiresAt: Int64
        var heapPosition: Int
    }

    private struct HeapNode {
        var expiresAt: Int64
        var slot: UInt32
    }

    /// The most entries the shard holds.
    let capacity: Int

    private var slotOfKey: [RateLimitEntryKey: UInt32] = [:]
    private var slots: ContiguousArray<Record?> = []
    private var freeSlots: [UInt32] = []
    private var heap: ContiguousArray<HeapNode> = []

    init(capacity: Int) { self.capacity = capacity }

    /// How many entries the shard holds, expired or not.
    var count: Int { slotOfKey.count }

    /// The value under `key` and when it expires, if the shard holds one (expired or not).
    func entry(_ key: RateLimitEntryKey) -> (value: RateLimitValue, expiresAt: Int64)? {
        guard let slot = slotOfKey[key], let record = slots[Int(slot)] else { return nil }
        return (record.value, record.expiresAt)
    }

    /// Stores `value` under `key`, expiring at `expiresAt` (microseconds since 1970).
    ///
    /// A value that has expired by `now` is not stored (and removes what was there). A new key in a full shard
    /// first evicts the entry that expires first: an expired one if there is any, else the live one closest to
    /// expiring.
    ///
    /// - Returns: Whether another key's entry was evicted to make room.
    @discardableResult
    mutating func set(_ key: RateLimitEntryKey, _ value: RateLimitValue, expiresAt: Int64, now: Int64) -> Bool {
        if let slot = slotOfKey[key] {
            guard expiresAt > now else {
                remove(slot: Int(slot))
                return false
            }
            slots[Int(slot)]!.value = value
            slots[Int(slot)]!.expiresAt = expiresAt
            let position = slots[Int(slot)]!.heapPosition
            heap[position].expiresAt = expiresAt
            restoreHeap(at: position)
            return false
        }
        guard expiresAt > now else { return false }
        var evicted = false
        if slotOfKey.count >= capacity, let first = heap.first {
            evicted = first.expiresAt > now
            remove(slot: Int(first.slot))
        }
        let slot: UInt32
        let record = Record(key: key, value: value, expiresAt: expiresAt, heapPosition: heap.count)
        if let free = freeSlots.popLast() {
            slot = free
            slots[Int(slot)] = record
        } else {
            slot = UInt32(slots.count)
            slots.append(record)
        }
        slotOfKey[key] = slot
        heap.append(HeapNode(expiresAt: expiresAt, slot: slot))
        siftUp(heap.count - 1)
        return evicted
    }

    /// Removes the entry under `key`, if any.
    mutating func remove(_ key: RateLimitEntryKey) {
        if let slot = slotOfKey[key] { remove(slot: Int(slot)) }
    }

    /// Removes up to `limit` entries that have expired by `now` (at most `limit`, so that one operation never
    /// pays for a backlog; every operation takes its share).
    ///
    /// - Returns: How many entries were removed.
    @discardableResult
    mutating func removeExpired(at now: Int64, limit: Int = .max) -> Int {
        var removed = 0
        while removed < limit, let first = heap.first, first.expiresAt <= now {
            remove(slot: Int(first.slot))
            removed += 1
        }
        return removed
    }

    // MARK: - Slab and heap

    private mutating func remove(slot: Int) {
        let record = slots[slot]!
        slots[slot] = nil
        slotOfKey[record.key] = nil
        freeSlots.append(UInt32(slot))
        let position = record.heapPosition
        let last = heap.count - 1
        if position != last {
            heap.swapAt(position, last)
            slots[Int(heap[position].slot)]!.heapPosition = position
        }
        heap.removeLast()
        if position < heap.count { restoreHeap(at: position) }
    }

    /// Moves the node at `position` up or down until the heap order holds again.
    private mutating func restoreHeap(at position: Int) {
        if position > 0, heap[position].expiresAt < heap[(position - 1) / 2].expiresAt {
            siftUp(position)
        } else {
            siftDown(position)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var position = start
        while position > 0 {
            let parent = (position - 1) / 2
            guard heap[position].expiresAt < heap[parent].expiresAt else { break }
            swapNodes(position, parent)
            position = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var position = start
        while true {
            let left = 2 * position + 1
            guard left < heap.count else { break }
            let right = left + 1
            let child = right < heap.count && heap[right].expiresAt < heap[left].expiresAt ? right : left
            guard heap[child].expiresAt < heap[position].expiresAt else { break }
            swapNodes(position, child)
            position = child
        }
    }

    private mutating func swapNodes(_ first: Int, _ second: Int) {
        heap.swapAt(first, second)
        slots[Int(heap[first].slot)]!.heapPosition = first
        slots[Int(heap[second].slot)]!.heapPosition = second
    }
}
