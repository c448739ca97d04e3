#if canImport(Glibc)
import Glibc
#endif

/// Seeded 2-D toy datasets (the TensorFlow Playground family). Points lie roughly in
/// [-1, 1]^2; `noise` is the standard deviation of Gaussian jitter added to each point.
public enum ToyData {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case xor, circle, gaussians, spiral, moons, checkerboard, corners
    }

    /// `corners`: where an input that is off (-) or on (+) sits on its axis.
    public static let cornerOffset: Float = 0.7

    public static func make(_ kind: Kind, count: Int, noise: Float = 0, seed: UInt64) -> Dataset {
        var rng = RNG(seed: seed)
        var f = [Float](); f.reserveCapacity(count * 2)
        var labels = [Int32](); labels.reserveCapacity(count)
        for i in 0..<count {
            let (x, y, label) = point(kind, index: i, count: count, rng: &rng)
            f.append(x + noise * rng.normal())
            f.append(y + noise * rng.normal())
            labels.append(label)
        }
        return Dataset(name: kind.rawValue, sampleShape: [2], features: .float(f), labels: labels, classCount: 2)
    }

    private static func point(_ kind: Kind, index i: Int, count: Int, rng: inout RNG) -> (Float, Float, Int32) {
        switch kind {
        case .xor:
            // Uniform in the square, class by quadrant, pushed 0.15 away from the axes so the classes have a clear margin (as in TensorFlow Playground).
            var x = rng.uniform(-1, 1), y = rng.uniform(-1, 1)
            x += x > 0 ? 0.15 : -0.15
            y += y > 0 ? 0.15 : -0.15
            return (x, y, x * y > 0 ? 1 : 0)
        case .circle:
            // Class 1 inside radius 0.5, class 0 in a ring from 0.7 to 1.
            let inner = i % 2 == 0
            let r = inner ? rng.uniform(0, 0.5) : rng.uniform(0.7, 1.0)
            let a = rng.uniform(0, 2 * .pi)
            return (r * cosf(a), r * sinf(a), inner ? 1 : 0)
        case .gaussians:
            let c: Int32 = i % 2 == 0 ? 1 : 0
            let m: Float = c == 1 ? 0.5 : -0.5
            return (m + 0.25 * rng.normal(), m + 0.25 * rng.normal(), c)
        case .spiral:
            // Two interleaved spirals, each making 1.75 turns.
            let c: Int32 = Int32(i % 2)
            let t = Float(i / 2) / Float(max(count / 2, 1))
            let r = 0.05 + 0.95 * t
            let a = 1.75 * 2 * Float.pi * t + (c == 1 ? .pi : 0)
            return (r * cosf(a), r * sinf(a), c)
        case .moons:
            let c: Int32 = Int32(i % 2)
            let a = rng.uniform(0, .pi)
            if c == 0 { return (cosf(a) * 0.8 - 0.3, sinf(a) * 0.8 - 0.2, 0) }
            return (0.3 - cosf(a) * 0.8, 0.2 - sinf(a) * 0.8, 1)
        case .checkerboard:
            let x = rng.uniform(-1, 1), y = rng.uniform(-1, 1)
            let cell = (Int(floorf((x + 1) * 2)) + Int(floorf((y + 1) * 2))) % 2
            return (x, y, Int32(cell))
        case .corners:
            // Binary XOR (Gidon et al., Science 367:83, 2020): two inputs, each off or on;
            // class 1 when exactly one is on. The four corners in turn, so the classes are
            // balanced; `noise` is the spread of each corner's blob.
            let a = i % 2, b = (i / 2) % 2
            let off = -cornerOffset, on = cornerOffset
            return (a == 1 ? on : off, b == 1 ? on : off, Int32(a ^ b))
        }
    }
}
