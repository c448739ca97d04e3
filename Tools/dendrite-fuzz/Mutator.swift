import DendriteCore

/// Seeded byte-level mutations in the spirit of libFuzzer's: each input is a seed file
/// changed by a few random edits. Input `i` of a run depends only on (seed, i), so any
/// failure can be replayed alone with `--replay i`.
struct Mutator {
    let seeds: [[UInt8]]
    let runSeed: UInt64

    func input(_ i: Int) -> [UInt8] {
        var rng = RNG(seed: runSeed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15)
        var data = seeds[rng.int(below: seeds.count)]
        let edits = 1 + rng.int(below: 4)
        for _ in 0..<edits { mutate(&data, &rng) }
        return data
    }

    private func mutate(_ d: inout [UInt8], _ rng: inout RNG) {
        // Edits near the start matter most (headers), so positions are biased there.
        func position(_ n: Int) -> Int {
            guard n > 0 else { return 0 }
            return rng.int(below: 2) == 0 ? rng.int(below: min(n, 64)) : rng.int(below: n)
        }
        switch rng.int(below: 9) {
        case 0 where !d.isEmpty:                       // flip one bit
            let p = position(d.count); d[p] ^= UInt8(1 << rng.int(below: 8))
        case 1 where !d.isEmpty:                       // random byte
            d[position(d.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2 where !d.isEmpty:                       // interesting byte
            d[position(d.count)] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x22, 0x7B][rng.int(below: 9)]
        case 3 where d.count >= 4:                     // interesting 32-bit value
            let p = position(d.count - 3)
            let v: UInt32 = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 60000, 28][rng.int(below: 7)]
            for k in 0..<4 { d[p + k] = UInt8(truncatingIfNeeded: v >> (24 - 8 * k)) }
        case 4:                                        // truncate
            d.removeLast(d.isEmpty ? 0 : rng.int(below: d.count + 1))
        case 5:                                        // append random bytes
            for _ in 0..<(1 + rng.int(below: 16)) { d.append(UInt8(truncatingIfNeeded: rng.next())) }
        case 6 where d.count > 1:                      // delete a run
            let p = position(d.count), n = min(d.count - p, 1 + rng.int(below: 32))
            d.removeSubrange(p..<(p + n))
        case 7 where !d.isEmpty:                       // duplicate a run
            let p = position(d.count), n = min(d.count - p, 1 + rng.int(below: 32))
            d.insert(contentsOf: d[p..<(p + n)], at: position(d.count))
        default:                                       // insert a random byte
            d.insert(UInt8(truncatingIfNeeded: rng.next()), at: position(d.count + 1))
        }
    }
}
