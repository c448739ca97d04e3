import Foundation
import Testing
@testable import DendriteCore

/// Three steps of each optimizer against the update rules written out by hand in
/// Float64 (torch.optim's definitions), with a different gradient every step.
@Suite struct OptimizerTests {
    static let start: [Float] = [0.5, -1.0, 2.0, 0.0]
    static let grads: [[Float]] = [[0.1, -0.2, 0.3, 0.4], [-0.5, 0.25, 0.0, 1.0], [0.2, 0.2, -0.1, -0.3]]

    func run(_ opt: Optimizer) -> [Float] {
        let p = Parameter(name: "p", value: Tensor(shape: [4], Self.start))
        for g in Self.grads {
            p.grad = Tensor(shape: [4], g)
            opt.step([p])
        }
        return p.value.storage
    }

    @Test func sgdWithMomentumAndWeightDecayFollowsTheTorchRule() {
        let (lr, mu, wd) = (0.1, 0.9, 0.01)
        var w = Self.start.map(Double.init), v = [Double](repeating: 0, count: 4)
        for (step, g) in Self.grads.enumerated() {
            for i in 0..<4 {
                let d = Double(g[i]) + wd * w[i]
                v[i] = step == 0 ? d : mu * v[i] + d   // buffer starts at the first gradient
                w[i] -= lr * v[i]
            }
        }
        let got = run(SGD(learningRate: Float(lr), momentum: Float(mu), weightDecay: Float(wd)))
        for i in 0..<4 { #expect(abs(Double(got[i]) - w[i]) < 1e-6, "element \(i): \(got[i]) vs \(w[i])") }
    }

    @Test func adamWithWeightDecayFollowsTheTorchRule() {
        let (lr, b1, b2, eps, wd) = (0.01, 0.9, 0.999, 1e-8, 0.05)
        var w = Self.start.map(Double.init)
        var m = [Double](repeating: 0, count: 4), v = m
        for (t, g) in Self.grads.enumerated() {
            for i in 0..<4 {
                let d = Double(g[i]) + wd * w[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                let mHat = m[i] / (1 - pow(b1, Double(t + 1))), vHat = v[i] / (1 - pow(b2, Double(t + 1)))
                w[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        let got = run(Adam(learningRate: Float(lr), weightDecay: Float(wd)))
        for i in 0..<4 { #expect(abs(Double(got[i]) - w[i]) < 1e-6, "element \(i): \(got[i]) vs \(w[i])") }
    }

    /// Adam's four-lane update (CBLAS/shim.h) gives exactly the bits of the rule written
    /// out in Float32 here, one element at a time, on a parameter with lanes and a tail.
    @Test func adamLanesGiveTheBitsOfTheScalarRule() {
        let n = 39
        var rng = RNG(seed: 5)
        let start = (0..<n).map { _ in rng.uniform(-2, 2) }
        let p = Parameter(name: "p", value: Tensor(shape: [n], start))
        let adam = Adam(learningRate: 0.01, weightDecay: 0.05)
        var w = start, m = [Float](repeating: 0, count: n), v = m
        let (b1, b2, eps, wd): (Float, Float, Float, Float) = (0.9, 0.999, 1e-8, 0.05)
        for t in 1...4 {
            let g = (0..<n).map { _ in rng.uniform(-1, 1) }
            p.grad = Tensor(shape: [n], g)
            adam.step([p])
            let c1 = 1 - powf(b1, Float(t)), c2 = 1 - powf(b2, Float(t))
            let stepSize = 0.01 / c1, invSqrtC2 = 1 / c2.squareRoot()
            for i in 0..<n {
                let d = g[i] + wd * w[i]
                m[i] = b1 * m[i] + (1 - b1) * d
                v[i] = b2 * v[i] + (1 - b2) * d * d
                w[i] -= stepSize * m[i] / (v[i].squareRoot() * invSqrtC2 + eps)
            }
        }
        #expect(p.value.storage.map(\.bitPattern) == w.map(\.bitPattern))
    }

    @Test(arguments: ["sgd", "sgd-momentum", "adam"])
    func frozenParametersKeepTheirValues(_ name: String) {
        let opt: Optimizer = switch name {
        case "sgd": SGD(learningRate: 0.1, weightDecay: 0.1)
        case "sgd-momentum": SGD(learningRate: 0.1, momentum: 0.9)
        default: Adam(learningRate: 0.1)
        }
        let frozen = Parameter(name: "frozen", value: Tensor(shape: [4], Self.start))
        frozen.trainable = false
        let live = Parameter(name: "live", value: Tensor(shape: [4], Self.start))
        for g in Self.grads {
            frozen.grad = Tensor(shape: [4], g)
            live.grad = Tensor(shape: [4], g)
            opt.step([frozen, live])
        }
        #expect(frozen.value.storage == Self.start)
        #expect(live.value.storage != Self.start)
    }

    @Test func stepScheduleMultipliesEveryNEpochs() {
        var s = LRSchedule(kind: .step, factor: 0.5, every: 2, minimum: 0.02)
        var rate: Float = 0.1
        var rates: [Float] = []
        for epoch in 1...8 {
            rate = s.next(rate: rate, epoch: epoch, validationLoss: 1)
            rates.append(rate)
        }
        #expect(rates == [0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02])
    }

    @Test func reduceOnPlateauWaitsForPatienceThenCuts() {
        var s = LRSchedule(kind: .reduceOnPlateau, factor: 0.1, patience: 2)
        var rate: Float = 1
        var rates: [Float] = []
        // Improves twice, stalls three epochs (cut after the third), improves, stalls again.
        for (epoch, loss) in [1.0, 0.9, 0.95, 0.9, 0.91, 0.5, 0.6, 0.7, 0.8].enumerated() {
            rate = s.next(rate: rate, epoch: epoch + 1, validationLoss: Float(loss))
            rates.append(rate)
        }
        let want: [Float] = [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01]
        #expect(zip(rates, want).allSatisfy { abs($0 - $1) < 1e-7 }, "\(rates)")
        #expect(s.bestLoss == 0.5)
    }
}
