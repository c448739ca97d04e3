import Foundation
import Testing
@testable import DendriteCore

/// design.md 2.2's fixed case: n = 8 samples, C = 3 units, Float64.
@Suite struct DendriteCorrelationTests {
    static let n = 8, c = 3

    static func fixedCase() -> (z: [Double], v: [Double], e: [Double]) {
        var z = [Double](), v = [Double](), e = [Double]()
        for p in 0..<n {
            for ch in 0..<c {
                let zz = (0.3 * Double(p) - 1) * Double(ch + 1) / 2 - 0.2 * Double(ch)
                z.append(zz)
                v.append(1 / (1 + exp(-zz)))
                e.append(0.1 * sin(Double((p + 1) * (ch + 1))) + 0.01 * Double(ch))
            }
        }
        return (z, v, e)
    }

    /// r = 1 turns the running objective into batch |Pearson|, the form design.md 2.2 states.
    static func evaluate() -> (scores: [Double], state: CorrelationObjective.State, gradZ: [Double]) {
        let (_, v, e) = fixedCase()
        var state = CorrelationObjective.State(channels: c, rate: 1)
        var g = [Double](repeating: 0, count: v.count)
        let s = v.withUnsafeBufferPointer { vp in
            e.withUnsafeBufferPointer { ep in
                g.withUnsafeMutableBufferPointer { gp in
                    CorrelationObjective.update(state: &state, v: vp, e: ep, batch: n, channels: c,
                                                spatial: 1, gradient: gp)
                }
            }
        }
        // d/dZ = d/dV * sigmoid'(Z) = d/dV * V (1 - V)
        let gz = zip(g, v).map { $0 * $1 * (1 - $1) }
        return (s, state, gz)
    }

    @Test func scoresMatchDesignFixedCase() {
        let (s, _, _) = Self.evaluate()
        let expected = [0.06615207, 0.06292384, 0.17422393]
        for (a, b) in zip(s, expected) { #expect(abs(a - b) < 1e-6, "S \(s) vs \(expected)") }
    }

    @Test func covarianceSignsAreNegativeInDesignFixedCase() {
        let (_, state, _) = Self.evaluate()
        #expect(state.covariance.map { $0 < 0 ? -1 : 1 } == [-1, -1, -1])
    }

    @Test func fullRatioGradientMatchesDesignFixedCase() {
        let (_, _, g) = Self.evaluate()
        let expected: [[Double]] = [
            [-0.27492388, -0.15215311, -0.00487748], [-0.32721181, 0.19465726, 0.04855847],
            [0.04209569, 0.09282346, -0.06940906], [0.48786396, -0.24498647, 0.10972611],
            [0.57861155, 0.16255516, -0.16527733], [0.22038, 0.15139337, 0.13853047],
            [-0.25253605, -0.24500142, -0.19872048], [-0.41020047, 0.06285472, 0.10873596]]
        for p in 0..<Self.n {
            for ch in 0..<Self.c {
                #expect(abs(g[p * Self.c + ch] - expected[p][ch]) < 1e-6, "row \(p) unit \(ch): \(g[p * Self.c + ch])")
            }
        }
    }

    /// Training runs the same function on Float32 data; it must agree with Float64.
    @Test func float32PathMatchesFloat64OnDesignFixedCase() {
        let (_, v, e) = Self.fixedCase()
        let (s64, _, _) = Self.evaluate()
        var state = CorrelationObjective.State(channels: Self.c, rate: 1)
        let vf = v.map { Float($0) }, ef = e.map { Float($0) }
        var g = [Float](repeating: 0, count: v.count)
        let s = vf.withUnsafeBufferPointer { vp in
            ef.withUnsafeBufferPointer { ep in
                g.withUnsafeMutableBufferPointer { gp in
                    CorrelationObjective.update(state: &state, v: vp, e: ep, batch: Self.n, channels: Self.c,
                                                spatial: 1, gradient: gp, gradientScale: -1)
                }
            }
        }
        for (a, b) in zip(s, s64) { #expect(abs(a - b) < 1e-5) }
        let (_, _, gz) = Self.evaluate()
        for i in 0..<v.count {
            let dz = -Double(g[i]) * v[i] * (1 - v[i])
            #expect(abs(dz - gz[i]) < 1e-5, "gradient \(i): \(dz) vs \(gz[i])")
        }
    }

    /// The running-statistics gradient (r < 1, seeded state) against finite differences
    /// of the same running objective.
    @Test func runningObjectiveGradientMatchesFiniteDifferences() {
        let (_, v, e) = Self.fixedCase()
        var seed = RunningMoments(channels: Self.c, rate: 0.01)
        e.map { Float($0) }.withUnsafeBufferPointer { seed.update($0, batch: Self.n, channels: Self.c, spatial: 1) }
        var base = CorrelationObjective.State(channels: Self.c, rate: 0.3, seededError: seed)
        // One warm-up batch with shifted V so V's running statistics differ from the batch's.
        let warm = v.map { $0 * 0.7 + 0.1 }
        warm.withUnsafeBufferPointer { vp in e.withUnsafeBufferPointer { ep in
            _ = CorrelationObjective.update(state: &base, v: vp, e: ep, batch: Self.n, channels: Self.c, spatial: 1)
        } }
        func total(_ v: [Double], grad: UnsafeMutableBufferPointer<Double>? = nil) -> Double {
            var st = base
            return v.withUnsafeBufferPointer { vp in e.withUnsafeBufferPointer { ep in
                CorrelationObjective.update(state: &st, v: vp, e: ep, batch: Self.n, channels: Self.c,
                                            spatial: 1, gradient: grad).reduce(0, +)
            } }
        }
        var g = [Double](repeating: 0, count: v.count)
        _ = g.withUnsafeMutableBufferPointer { total(v, grad: $0) }
        var worst = 0.0
        for i in 0..<v.count {
            var vp = v, vm = v
            vp[i] += 1e-6; vm[i] -= 1e-6
            let num = (total(vp) - total(vm)) / 2e-6
            worst = max(worst, abs(num - g[i]))
        }
        #expect(worst < 1e-6, "largest gradient error \(worst)")
    }
}
