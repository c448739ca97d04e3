import Testing
@testable import DendriteCore

/// The error probe reports what backpropagation computes and leaves training untouched.
@Suite struct NeuronProbeTests {
    func session(mode: String, layers: String = "[dense 3, tanh, dense 1]",
                 errorSignal: String = "preactivation") throws -> ExperimentSession {
        let yaml = """
            name: probe
            dataset: {name: xor, count: 64}
            network: {input: [2], layers: \(layers)}
            mode: \(mode)
            dendrites: {n_epochs_to_switch: 2, p_epochs_to_switch: 2, max_p_epochs: 4, error_signal: \(errorSignal)}
            optimizer: {kind: adam, lr: 0.05}
            epochs: 12
            batch_size: 16
            seed: 3
            """
        return try ExperimentSession(try ExperimentLoader.decode(yaml: yaml, file: "probe.yaml"))
    }

    @Test func outputErrorOfALogisticUnitIsProbabilityMinusLabel() throws {
        let s = try session(mode: "none")
        for _ in 0..<3 { s.trainer.runEpoch() }
        let x = Tensor(shape: [4, 2], [0.5, 0.5, -0.5, 0.5, -0.5, -0.5, 0.5, -0.5])
        let labels: [Int32] = [0, 1, 0, 1]
        let last = s.network.layers.count - 1
        let e = try #require(NeuronProbe.errors(of: s.network, x: x, labels: labels)[last])
        let (p, k) = NeuronProbe.classProbabilities(logits: s.network.forward(x, training: false))
        #expect(k == 2)
        for r in 0..<4 { #expect(abs(e[r] - (p[2 * r + 1] - Float(labels[r]))) < 1e-5) }
        // The hidden layer's error is the output error through W and tanh': finite and not all zero.
        let hidden = try #require(NeuronProbe.errors(of: s.network, x: x, labels: labels)[0])
        #expect(hidden.count == 12 && hidden.storage.contains { $0 != 0 })
    }

    /// Probing between every batch changes nothing: the final weights are bit-identical
    /// (also when E is the gradient at the activation, which the probe hands over too).
    @Test(arguments: ["none", "gd", "pb", "pb output"])
    func probingBetweenStepsLeavesTrainingBitIdentical(mode: String) throws {
        let words = mode.split(separator: " ").map(String.init)
        func make() throws -> ExperimentSession {
            try session(mode: words[0], errorSignal: words.count > 1 ? words[1] : "preactivation")
        }
        let plain = try make(), probed = try make()
        let x = Tensor(shape: [9, 2], NeuronProbe.gridPoints(resolution: 3, extent: 1))
        let labels = [Int32](repeating: 1, count: 9)
        var sawDendritePhase = false
        while !plain.trainer.isFinished {
            _ = plain.trainer.stepBatch()
            _ = NeuronProbe.errors(of: probed.network, x: x, labels: labels)
            _ = probed.trainer.stepBatch()
            sawDendritePhase = sawDendritePhase || probed.trainer.phase == .dendrite
        }
        if mode == "pb" { #expect(sawDendritePhase) }
        #expect(plain.network.parameters.map(\.value.storage) == probed.network.parameters.map(\.value.storage))
        #expect(plain.trainer.history.map(\.trainLoss) == probed.trainer.history.map(\.trainLoss))
    }

    /// The probe reports the E a perforated layer's candidates are trained against: with
    /// `error_signal: output` B·dL/dh at the ReLU after it (not 0 where the ReLU is off),
    /// with `preactivation` B·dL/dy; both checked against central differences of the
    /// mean loss. Nothing handed over outlives the probe.
    @Test(arguments: DendriteConfig.ErrorSignal.allCases)
    func probeReportsTheErrorCandidatesAreTrainedAgainst(signal: DendriteConfig.ErrorSignal) throws {
        let batch = 8
        var rng = RNG(seed: 5)
        let net = Network(spec: NetworkSpec(inputShape: [4], layers: [.dense(3), .relu, .dense(2)]), rng: &rng)
        for l in net.perforate(mode: .pb, errorSignal: signal) { l.beginCandidate(rng: &rng, scale: 0.3) }
        #expect(net.errorSignal(ofLayer: 0) == signal && net.errorSignal(ofLayer: 2) == .preactivation)
        let x = randomTensor([batch, 4], seed: 13, range: 2)
        let labels: [Int32] = (0..<batch).map { Int32($0 % 2) }
        let e = try #require(NeuronProbe.errors(of: net, x: x, labels: labels)[0])
        #expect(net.perforatedLayers.allSatisfy { $0.activationGradient == nil })

        // The mean loss as a function of the hidden layer's output y (through the ReLU) or of h = relu(y).
        let y = net.layers[0].forward(x, training: false)
        let from = signal == .output ? 2 : 1
        let at = signal == .output ? net.layers[1].forward(y, training: false) : y
        func loss(_ t: Tensor) -> Double {
            var h = t
            for l in net.layers[from...] { h = l.forward(h, training: false) }
            var l = SoftmaxCrossEntropy()
            return Double(l.forward(logits: h, labels: labels[...]))
        }
        let step: Float = 1e-2
        var silentButTold = 0
        for i in 0..<at.count where abs(y[i]) > 2 * step {   // clear of the ReLU's kink
            var up = at, down = at
            up[i] += step
            down[i] -= step
            let numeric = (loss(up) - loss(down)) / Double(2 * step)
            let probed = Double(e[i]) / Double(batch)
            #expect(abs(probed - numeric) <= 1e-3 * max(1, abs(numeric)), "\(signal) entry \(i): \(probed) vs \(numeric)")
            if y[i] < 0 && abs(numeric) > 1e-4 { silentButTold += 1 }
        }
        // Where the ReLU is off dL/dy is 0, so the two signals differ there.
        if signal == .output { #expect(silentButTold > 0, "some silent neuron carries a non-zero dL/dh") }
    }

    @Test func quadrantMeansAndSurfaceSpread() {
        let pts: [Float] = [1, 1, -1, 1, -1, -1, 1, -1]
        #expect(NeuronProbe.quadrantMeans([1, 2, 3, 4], points: pts) == [1, 2, 3, 4])
        #expect(NeuronProbe.surfaceSpread(probabilities: [0.5, 0.5, 0.5, 0.5], classes: 2) == 0)
        #expect(abs(NeuronProbe.surfaceSpread(probabilities: [0, 1, 1, 0], classes: 2) - 0.5) < 1e-9)
    }
}
