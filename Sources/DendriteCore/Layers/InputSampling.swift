/// How each dendrite of a `DendriticLayer` chooses the k inputs it sees: the restricted
/// input sampling of the "dendritic ANNs" of Chavlis & Poirazi, Nat Commun 16:943 (2025).
///
/// - `random`: k distinct inputs drawn uniformly from all of them.
/// - `local`: a compact patch of k pixels (4x4 for k = 16) at a uniformly random place of
///   the image; on a plain vector (no image geometry), k consecutive inputs.
/// - `global`: the k inputs spread over the whole input: the image is cut into a grid of k
///   cells (4x4 for k = 16) and the dendrite samples one random pixel in each cell; on a
///   vector, one input in each of k equal strata. Our reading of the paper's "global"
///   sampling: every dendrite covers the whole field, sparsely.
///
/// Images are [C, H, W] inputs, or [H*W] / [H, W] when H*W is a perfect square (MNIST
/// flattened). With C > 1 channels a patch or grid of ceil(k / C) positions is taken in
/// every channel, channel-major, and the first k of those are kept.
public enum InputSampling: String, Codable, CaseIterable, Sendable {
    case random, local, global

    /// Channels, height and width when an input shape reads as an image, else nil.
    static func image(_ shape: [Int]) -> (c: Int, h: Int, w: Int)? {
        switch shape.count {
        case 3: return (shape[0], shape[1], shape[2])
        case 2: return (1, shape[0], shape[1])
        case 1:
            let side = Int(Double(shape[0]).squareRoot().rounded())
            return side > 1 && side * side == shape[0] ? (1, side, side) : nil
        default: return nil
        }
    }

    /// The input each synapse reads, for `count` dendrites of `k` synapses each:
    /// dendrite-major [count * k] indices into the flattened input, each dendrite's
    /// distinct and ascending (so a gather walks the input row forwards).
    /// Requires 1 <= k <= the number of inputs (`LayerSpec` checks it when parsing).
    func indices(inputShape: [Int], dendrites count: Int, k: Int, rng: inout RNG) -> [Int32] {
        let n = inputShape.reduce(1, *)
        // Invariant: LayerSpec.outputShape refuses dendrites of k inputs on fewer than k inputs before a network is built.
        precondition(k >= 1 && k <= n, "a dendrite samples 1...\(n) inputs, got \(k)")
        var out: [Int32] = []
        out.reserveCapacity(count * k)
        var pool = Array(0..<n)   // random: a permutation, partially reshuffled per dendrite
        for _ in 0..<count {
            var picked: [Int]
            switch self {
            case .random:
                for i in 0..<k { pool.swapAt(i, i + rng.int(below: n - i)) }
                picked = Array(pool[0..<k])
            case .local, .global:
                if let g = Self.image(inputShape) {
                    picked = self == .local ? Self.patch(g, k: k, rng: &rng) : Self.grid(g, k: k, rng: &rng)
                } else if self == .local {
                    let start = rng.int(below: n - k + 1)
                    picked = Array(start..<(start + k))
                } else {
                    picked = (0..<k).map { i in
                        let lo = i * n / k, hi = (i + 1) * n / k
                        return lo + rng.int(below: hi - lo)
                    }
                }
            }
            picked.sort()
            out += picked.map { Int32($0) }
        }
        return out
    }

    /// A rows x cols block of at least `m` positions that fits h x w, as square as it can be.
    private static func block(_ m: Int, h: Int, w: Int) -> (rows: Int, cols: Int) {
        var rows = min(h, Int(Double(m).squareRoot().rounded(.up)))
        let cols = min(w, (m + rows - 1) / rows)
        rows = min(h, (m + cols - 1) / cols)
        return (rows, cols)
    }

    /// Per channel ceil(k / C) positions of a block; flattened channel-major, first k kept.
    private static func perChannel(_ g: (c: Int, h: Int, w: Int), k: Int,
                                   _ positions: (_ m: Int) -> [Int]) -> [Int] {
        let m = (k + g.c - 1) / g.c
        let plane = positions(m)
        var out: [Int] = []
        for ch in 0..<g.c { for p in plane where out.count < k { out.append(ch * g.h * g.w + p) } }
        return out
    }

    private static func patch(_ g: (c: Int, h: Int, w: Int), k: Int, rng: inout RNG) -> [Int] {
        perChannel(g, k: k) { m in
            let (rows, cols) = block(m, h: g.h, w: g.w)
            let top = rng.int(below: g.h - rows + 1), left = rng.int(below: g.w - cols + 1)
            var p: [Int] = []
            for r in 0..<rows { for c in 0..<cols where p.count < m { p.append((top + r) * g.w + left + c) } }
            return p
        }
    }

    private static func grid(_ g: (c: Int, h: Int, w: Int), k: Int, rng: inout RNG) -> [Int] {
        perChannel(g, k: k) { m in
            let (rows, cols) = block(m, h: g.h, w: g.w)
            var p: [Int] = []
            for r in 0..<rows {
                for c in 0..<cols where p.count < m {
                    let r0 = r * g.h / rows, r1 = (r + 1) * g.h / rows
                    let c0 = c * g.w / cols, c1 = (c + 1) * g.w / cols
                    p.append((r0 + rng.int(below: r1 - r0)) * g.w + c0 + rng.int(below: c1 - c0))
                }
            }
            return p
        }
    }
}
