import Testing
@testable import DendriteCore

/// The error probe reports what backpropagation computes and leaves training untouched.
@Suite struct NeuronProbeTests {
    func session(mode: String, layers: String = "[dense 3, tanh, dense 1]") throws -> ExperimentSession {
        let yaml = """
            name: probe
            dataset: {name: xor, count: 64}
            network: {input: [2], layers: \(layers)}
            mode: \(mode)
            dendrites: {n_epochs_to_switch: 2, p_epochs_to_switch: 2, max_p_epochs: 4}
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

    /// Probing between every batch changes nothing: the final weights are bit-identical.
    @Test(arguments: ["none", "gd", "pb"])
    func probingBetweenStepsLeavesTrainingBitIdentical(mode: String) throws {
        let plain = try session(mode: mode), probed = try session(mode: mode)
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

    @Test func quadrantMeansAndSurfaceSpread() {
        let pts: [Float] = [1, 1, -1, 1, -1, -1, 1, -1]
        #expect(NeuronProbe.quadrantMeans([1, 2, 3, 4], points: pts) == [1, 2, 3, 4])
        #expect(NeuronProbe.surfaceSpread(probabilities: [0.5, 0.5, 0.5, 0.5], classes: 2) == 0)
        #expect(abs(NeuronProbe.surfaceSpread(probabilities: [0, 1, 1, 0], classes: 2) - 0.5) < 1e-9)
    }
}
