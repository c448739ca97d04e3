import Foundation
import Testing
@testable import DendriteCore

/// `dendrites: {output_lr_scale: s}`: every dendrite's output weight A learns at s times
/// the optimizer's rate; nothing else changes.
@Suite struct OutputLearningRateTests {
    /// One optimizer step on a parameter with `learningRateScale` s moves it exactly as a
    /// step at rate lr * s does (Adam and SGD with momentum, three steps each).
    @Test func scaledParameterStepsAsAtTheScaledRate() {
        func run(_ make: (Float) -> Optimizer, lr: Float, scale: Float) -> [Float] {
            let p = Parameter(name: "p", value: randomTensor([5], seed: 1))
            p.learningRateScale = scale
            let opt = make(lr)
            for k in 0..<3 {
                p.grad = randomTensor([5], seed: UInt64(10 + k))
                opt.step([p])
            }
            return p.value.storage
        }
        let adam: (Float) -> Optimizer = { Adam(learningRate: $0) }
        let sgd: (Float) -> Optimizer = { SGD(learningRate: $0, momentum: 0.9) }
        for make in [adam, sgd] {
            let scaled = run(make, lr: 0.01, scale: 4), direct = run(make, lr: 0.04, scale: 1)
            #expect(scaled == direct)
            #expect(scaled != run(make, lr: 0.01, scale: 1))
        }
    }

    /// A of GD sets and of accepted PB sets carries the scale; W, b, W_d, b_d and K do not.
    @Test func onlyOutputWeightsCarryTheScale() throws {
        for mode in [DendriteMode.gd, .pb] {
            var rng = RNG(seed: 2)
            let net = Network(spec: NetworkSpec(inputShape: [3], layers: [.dense(2), .relu, .dense(2)]), rng: &rng)
            let layers = net.perforate(mode: mode, outputLearningRateScale: 5)
            for l in layers {
                if mode == .gd {
                    l.addDendriteSet(rng: &rng)
                } else {
                    l.beginCandidate(rng: &rng)
                    l.acceptCandidate()
                }
                l.addDendriteSet(rng: &rng)
            }
            let outputs = Set(layers.flatMap { $0.dendrites.map { ObjectIdentifier($0.output) } })
            #expect(outputs.count == 4, "two sets in each of two layers")
            for p in net.parameters {
                #expect(p.learningRateScale == (outputs.contains(ObjectIdentifier(p)) ? 5 : 1), "\(mode) \(p.name)")
            }
        }
    }
}
