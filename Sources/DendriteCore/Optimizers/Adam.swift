#if canImport(Glibc)
import Glibc
#endif

/// Adam (Kingma & Ba) with bias correction, matching torch.optim.Adam including its
/// coupled weight decay. Each parameter keeps its own step count so parameters added
/// later (new dendrites) start their bias correction from scratch.
public final class Adam: Optimizer {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float

    struct Moments { var m: [Float]; var v: [Float]; var t: Int }
    /// Per-parameter moments (internal so checkpoints can save them: OptimizerState.swift).
    var state: [ObjectIdentifier: Moments] = [:]

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let b1 = beta1, b2 = beta2, eps = epsilon, wd = weightDecay
        for p in parameters where p.trainable {
            let n = p.count
            let id = ObjectIdentifier(p)
            var s = state.removeValue(forKey: id)
                ?? Moments(m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n), t: 0)
            if s.m.count != n { s = Moments(m: [Float](repeating: 0, count: n), v: [Float](repeating: 0, count: n), t: 0) }
            s.t += 1
            let c1 = 1 - powf(b1, Float(s.t)), c2 = 1 - powf(b2, Float(s.t))
            let stepSize = learningRate / c1
            let invSqrtC2 = 1 / c2.squareRoot()
            p.grad.withUnsafeBufferPointer { g in
                p.value.withUnsafeMutableBufferPointer { w in
                    s.m.withUnsafeMutableBufferPointer { m in
                        s.v.withUnsafeMutableBufferPointer { v in
                            // Element-wise: large parameters split over the workers, same bits.
                            guard let g = g.baseAddress, let w = w.baseAddress,
                                  let m = m.baseAddress, let v = v.baseAddress else { return }
                            let k = Constants(b1: b1, b2: b2, eps: eps, wd: wd, stepSize: stepSize, invSqrtC2: invSqrtC2)
                            Parallel.forRanges(n, cost: 8) { r in Self.update(r, g, w, m, v, k) }
                        }
                    }
                }
            }
            state[id] = s
        }
    }

    public func reset() { state.removeAll() }

    struct Constants { var b1, b2, eps, wd, stepSize, invSqrtC2: Float }

    /// The update of elements `r`, sixteen lanes at a time: the compiler keeps the scalar
    /// loop's square root and division scalar (a libm call on its slow path), which made
    /// Adam cost 3 ns a parameter, as much as a PB candidate step's matrix products.
    /// Every lane does exactly the scalar arithmetic (IEEE square root and division are
    /// correctly rounded either way), so the bits are the same.
    @inline(__always)
    static func update(_ r: Range<Int>, _ g: UnsafePointer<Float>, _ w: UnsafeMutablePointer<Float>,
                       _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ k: Constants) {
        typealias V = SIMD16<Float>
        func load(_ p: UnsafePointer<Float>, _ i: Int) -> V { UnsafeRawPointer(p + i).loadUnaligned(as: V.self) }
        func store(_ x: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p + i).storeBytes(of: x, as: V.self) }
        var i = r.lowerBound
        while i + V.scalarCount <= r.upperBound {
            let wi = load(w, i), d = load(g, i) + k.wd * wi
            let mi = k.b1 * load(m, i) + (1 - k.b1) * d
            let vi = k.b2 * load(v, i) + (1 - k.b2) * d * d
            store(mi, m, i)
            store(vi, v, i)
            store(wi - k.stepSize * mi / (vi.squareRoot() * k.invSqrtC2 + k.eps), w, i)
            i += V.scalarCount
        }
        while i < r.upperBound {
            let d = g[i] + k.wd * w[i]
            m[i] = k.b1 * m[i] + (1 - k.b1) * d
            v[i] = k.b2 * v[i] + (1 - k.b2) * d * d
            w[i] -= k.stepSize * m[i] / (v[i].squareRoot() * k.invSqrtC2 + k.eps)
            i += 1
        }
    }
}
