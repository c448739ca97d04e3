import Foundation
import Testing
@testable import DendriteCore

@Suite struct BranchActivationTests {
    /// The branch functions written out in Float64 from their formulas (DendriteMode.swift).
    static func reference(_ f: DendriteActivation, _ z: Double) -> Double {
        func sigma(_ t: Double) -> Double { 1 / (1 + exp(-t)) }
        switch f {
        case .sigmoid: return sigma(z)
        case .tanh: return tanh(z)
        case .relu: return max(0, z)
        case .dcaap: return sigma(4 * z) * (1 - sigma(z))
        case .nmda: return sigma(4 * (z - 1))
        }
    }

    /// f and f' (`derivative(input:output:)`, Float32) against the Float64 formula and its
    /// central differences, on a grid over [-6, 6].
    @Test(arguments: DendriteActivation.allCases.filter { $0 != .relu })
    func derivativeMatchesFiniteDifferences(activation f: DendriteActivation) {
        var worst = 0.0, worstValue = 0.0
        var z = -6.0
        while z <= 6 {
            let h = 1e-5
            let numeric = (Self.reference(f, z + h) - Self.reference(f, z - h)) / (2 * h)
            let v = f.apply(Float(z))
            let analytic = Double(f.derivative(input: Float(z), output: v))
            worst = max(worst, abs(analytic - numeric) / max(1e-2, abs(analytic) + abs(numeric)))
            worstValue = max(worstValue, abs(Double(v) - Self.reference(f, z)))
            z += 0.037
        }
        #expect(worst < 1e-3, "\(f): relative error \(worst)")
        #expect(worstValue < 1e-6, "\(f): value differs from the formula by \(worstValue)")
    }

    @Test func dcaapIsABumpThatPeaksJustAboveThresholdAndNmdaIsSupralinear() {
        let f = DendriteActivation.dcaap
        let zs = stride(from: Float(-4), through: 6, by: 0.01).map { $0 }
        let peak = zs.max { f.apply($0) < f.apply($1) }!
        #expect(abs(peak - 0.43) < 0.02, "peak at \(peak)")
        #expect(abs(f.apply(peak) - 0.33) < 0.01)
        #expect(f.apply(-2) < 0.01 && f.apply(4) < 0.05, "falls off on both sides")
        #expect(f.apply(1) > f.apply(2) && f.apply(2) > f.apply(3), "stronger input, smaller response")
        // NMDA-like: convex (supralinear) below its threshold of 1, saturating above it.
        let n = DendriteActivation.nmda
        #expect(n.apply(0.5) - n.apply(0) > n.apply(0) - n.apply(-0.5))
        #expect(abs(n.apply(1) - 0.5) < 1e-6 && n.apply(3) > 0.99)
    }

    /// The perforated layer's backward with these branches, dendrites, cascade and all.
    @Test(arguments: [DendriteActivation.dcaap, .nmda])
    func perforatedLayerGradientsMatchFiniteDifferences(activation: DendriteActivation) {
        let layer = perforatedDense(inputs: 4, neurons: 3, sets: 2, mode: .gd, seed: 5, activation: activation)
        let err = gradientCheckError(layer, input: randomTensor([5, 4], seed: 6))
        #expect(err < 1e-3, "\(activation): relative error \(err)")
    }

    /// A PB candidate with a dcaap branch: its objective gradient goes through f'(z).
    @Test func candidateGradientUsesThePreActivation() {
        let layer = perforatedDense(inputs: 3, neurons: 2, sets: 1, mode: .pb, seed: 11, activation: .dcaap)
        var rng = RNG(seed: 12)
        layer.beginCandidate(rng: &rng)
        for p in layer.candidateParameters { for i in 0..<p.count { p.value[i] = rng.uniform(-1, 1) } }
        let worst = candidateGradientCheckError(layer, input: randomTensor([4, 3], seed: 13), seed: 14)
        #expect(worst < 1e-3, "relative error \(worst)")
    }

    /// Gidon et al.'s XOR: two input pathways, each off (0) or on (1), jittered by
    /// N(0, 0.05^2); the output fires for exactly one pathway on. The neuron sees its inputs
    /// only through one branch (soma inputs off: its own weights held at 0; bias, branch W, b and A train
    /// by GD). With a dcaap branch it computes XOR; with a sigmoid branch it cannot: its
    /// output is then monotonic in one projection of the input (at most 3 of 4 corners).
    ///
    /// On the Lab's quadrant XOR (ToyData.xor) no single branch of any shape suffices,
    /// even with the neuron's own weights: along each line where the branch input is
    /// constant the neuron is linear, and lines across the origin region cross three
    /// quadrants (class 1-0-1); such a line needs a bump in the other direction too.
    @Test func oneDcaapBranchComputesXORWhereOneSigmoidBranchCannot() {
        func accuracy(_ activation: DendriteActivation, seed: UInt64) -> Float {
            var rng = RNG(seed: seed)
            var x = Tensor(shape: [200, 2]), target = [Float](repeating: 0, count: 200)
            for i in 0..<200 {
                let a = i % 2, b = (i / 2) % 2
                x[2 * i] = Float(a) + 0.05 * rng.normal()
                x[2 * i + 1] = Float(b) + 0.05 * rng.normal()
                target[i] = a != b ? 1 : 0
            }
            let dense = Dense(inputSize: 2, outputSize: 1, rng: &rng, name: "layers.0")
            let layer = PerforatedLayer(wrapping: dense, name: "layers.0", mode: .gd, activation: activation, somaInputs: false)
            layer.addDendriteSet(rng: &rng, scale: 0.3)
            layer.dendrites[0].output.value[0] = 0.1
            let trained = layer.parameters
            let adam = Adam(learningRate: 0.05)
            var g = Tensor(shape: [200, 1])
            var correct = 0
            for step in 0...1500 {
                let y = layer.forward(x, training: true)
                correct = 0
                for i in 0..<200 {
                    let p = 1 / (1 + expf(-y[i]))
                    g[i] = (p - target[i]) / 200   // d(mean BCE)/dlogit
                    if (y[i] > 0) == (target[i] > 0) { correct += 1 }
                }
                if step == 1500 { break }
                _ = layer.backward(g)
                adam.step(trained)
            }
            #expect(dense.weight.value.storage == [0, 0], "the neuron's own weights must stay out")
            return Float(correct) / 200
        }
        // Gradient descent does not always leave the 75% plateau (as for any small XOR
        // net): over seeds 1-8 count the runs that reach 100% (measured: 2, 3, 7 and 8).
        var solved = 0
        for seed: UInt64 in 1...8 {
            let bump = accuracy(.dcaap, seed: seed), sigmoid = accuracy(.sigmoid, seed: seed)
            print("binary XOR, one branch, seed \(seed): dcaap \(bump), sigmoid \(sigmoid)")
            if bump == 1 { solved += 1 }
            #expect(sigmoid <= 0.76, "seed \(seed): one sigmoid branch reached \(sigmoid)")
        }
        #expect(solved >= 4, "one dcaap branch solved XOR on \(solved) of 8 seeds")
    }
}
