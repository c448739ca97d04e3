import Foundation
import Testing
@testable import DendriteCore

/// `dendrites: {soma_inputs: false}`: the neurons' own input weights W are held at 0,
/// so a neuron sees its inputs only through its branches.
@Suite struct SomaInputsTests {
    static func experiment(mode: String, extra: String = "", layers: String = "[dense 1]", maxDendrites: Int = 2,
                           epochs: Int = 12) throws -> Experiment {
        try ExperimentLoader.decode(yaml: """
            name: soma-off
            dataset: {name: corners, count: 200, noise: 0.1}
            network: {input: [2], layers: \(layers)}
            mode: \(mode)
            dendrites: {max_dendrites: \(maxDendrites), n_epochs_to_switch: 3, p_epochs_to_switch: 2, max_p_epochs: 3,
                        candidate_lr: 0.05, candidate_init_scale: 0.5, soma_inputs: false\(extra)}
            optimizer: {kind: adam, lr: 0.05}
            epochs: \(epochs)
            batch_size: 16
            seed: 4
            """, file: "soma.yaml")
    }

    /// Every wrapped layer's own W, which must be exactly 0 and out of `parameters`.
    static func somaWeights(_ network: Network) -> [Float] {
        network.perforatedLayers.flatMap { $0.neuron.weight.value.storage }
    }

    /// Dense (dcaap) and Conv2D (sigmoid), two sets (cascade included): dL/dx (through the
    /// dendrites only) and every parameter's gradient against central differences; W gets
    /// none. (A dcaap conv layer, with its large pre-activations, misses 1e-3 at this Float32
    /// step with soma inputs on as well: 2.5e-3 on, 5.7e-3 off, both smaller at step 3e-3.)
    @Test(arguments: [false, true])
    func gradientsMatchFiniteDifferencesWithoutSomaInputs(conv: Bool) {
        var rng = RNG(seed: 5)
        let neuron: NeuronLayer = conv
            ? Conv2D(inputChannels: 2, outputChannels: 3, kernel: 3, stride: 1, padding: 1, rng: &rng, name: "layers.0")
            : Dense(inputSize: 4, outputSize: 3, rng: &rng, name: "layers.0")
        let layer = PerforatedLayer(wrapping: neuron, name: "layers.0", mode: .gd,
                                    activation: conv ? .sigmoid : .dcaap, somaInputs: false)
        for _ in 0..<2 { layer.addDendriteSet(rng: &rng, scale: 0.7) }
        for s in layer.dendrites { for i in 0..<s.output.count { s.output.value[i] = rng.uniform(-1, 1) } }
        #expect(neuron.weight.value.storage.allSatisfy { $0 == 0 })
        #expect(!layer.parameters.contains { $0 === neuron.weight }, "W is not a parameter")
        #expect(layer.parameters.contains { $0 === neuron.bias })
        let err = gradientCheckError(layer, input: randomTensor(conv ? [2, 2, 4, 4] : [5, 4], seed: 6))
        #expect(err < 1e-3, "relative error \(err)")
        #expect(neuron.weight.grad.storage.allSatisfy { $0 == 0 }, "a held W has no gradient")
    }

    /// Hand count, input 2 -> dense 3 -> tanh -> dense 2, one dendrite set on both layers.
    /// Soma inputs on: layer 0 has W 3x2 + b 3 = 9, its dendrites W_d 3x2 + b_d 3 = 9 and
    /// A 3; layer 1 has W 2x3 + b 2 = 8, dendrites 2x3 + 2 = 8 and A 2: 39 in all.
    /// Off: the two W (6 + 6) are neither used nor trained, so 27 remain.
    @Test func parameterCountsLeaveOutTheHeldW() throws {
        for (soma, expected, neurons) in [(true, 39, 17), (false, 27, 5)] {
            var rng = RNG(seed: 1)
            let net = Network(spec: NetworkSpec(inputShape: [2], layers: [.dense(3), .tanh, .dense(2)]), rng: &rng)
            for l in net.perforate(mode: .gd, somaInputs: soma) { l.addDendriteSet(rng: &rng) }
            let b = net.parameterBreakdown
            #expect(net.parameterCount == expected, "soma inputs \(soma)")
            #expect(b.total == expected && b.neurons == neurons && b.dendrites == 17 && b.cascade == 0 && b.outputWeights == 5)
        }
    }

    /// W stays exactly 0 through GD and PB training (all phases), the first dendrite set
    /// grows at once, and a run resumed from a checkpoint ends bit for bit where the
    /// uninterrupted one does.
    @Test(arguments: ["gd", "pb"])
    func somaWeightsStayZeroThroughTrainingAndResume(mode: String) throws {
        let e = try Self.experiment(mode: mode)
        let straight = try ExperimentSession(e)
        var decisions: [String] = []
        straight.trainer.onEvent { if case .decision(_, let m) = $0 { decisions.append(m) } }
        straight.trainer.stepBatch()
        #expect(decisions.first?.contains("soma inputs are off") == true, "\(decisions)")
        #expect(mode == "pb" ? straight.trainer.phase == .dendrite : straight.network.dendriteCount == 1)
        var phases: Set<Phase> = []
        var checkpoint: Checkpoint?
        while !straight.trainer.isFinished {
            straight.trainer.runEpoch()
            phases.insert(straight.trainer.phase)
            #expect(Self.somaWeights(straight.network).allSatisfy { $0 == 0 })
            if checkpoint == nil, straight.trainer.epoch >= 4, TrainingSnapshot.isRestorable(straight.trainer) {
                checkpoint = try TrainingSnapshot.capture(experiment: e, trainer: straight.trainer)
            }
        }
        #expect(straight.network.dendriteCount >= 1)
        if mode == "pb" { #expect(phases == [.neuron, .dendrite]) }
        let ckpt = try #require(checkpoint)
        // Saved beside the parameters as zeros, for readers of the file; never loaded back.
        #expect(ckpt["layers.0.weight"]?.storage == [0, 0])
        #expect(ckpt.metadata["model"]?.contains("\"soma_inputs\":false") == true, "\(ckpt.metadata["model"] ?? "")")
        let resumed = try ExperimentSession(e)
        try TrainingSnapshot.restore(ckpt, file: "soma.ckpt", into: resumed.trainer)
        resumed.trainer.run()
        #expect(Self.somaWeights(resumed.network).allSatisfy { $0 == 0 })
        let bits = { (n: Network) in n.parameters.map { $0.value.storage.map(\.bitPattern) } }
        #expect(bits(resumed.network) == bits(straight.network), "\(mode): resumed run differs")
    }

    @Test func fileKeyJSONAndYAMLRoundTrip() throws {
        let off = try Self.experiment(mode: "gd")
        #expect(!off.dendrites.somaInputs)
        let on = try ExperimentLoader.decode(yaml: """
            name: t
            dataset: {name: corners}
            network: {layers: [dense 1]}
            mode: gd
            epochs: 1
            """, file: "t.yaml")
        #expect(on.dendrites.somaInputs)
        // JSON (sweep plans, checkpoints): the key only when off, absent = on.
        let json = String(decoding: try JSONEncoder().encode(on.dendrites), as: UTF8.self)
        #expect(!json.contains("somaInputs"))
        let offJSON = try JSONEncoder().encode(off.dendrites)
        #expect(String(decoding: offJSON, as: UTF8.self).contains("\"somaInputs\":false"))
        #expect(try JSONDecoder().decode(DendriteConfig.self, from: offJSON) == off.dendrites)
        #expect(!on.yamlText.contains("soma_inputs"))
        #expect(off.yamlText.contains("soma_inputs: false"))
        #expect(try ExperimentLoader.decode(yaml: off.yamlText, file: "again.yaml") == off)
    }

    @Test func badValuesAndCombinationsAreRefusedWithOneLine() throws {
        func message(_ build: () throws -> Void) -> String {
            do { try build(); return "" } catch { return "\(error)" }
        }
        let bad = message {
            _ = try ExperimentLoader.decode(yaml: """
                name: t
                dataset: {name: corners}
                network: {layers: [dense 1]}
                mode: gd
                dendrites:
                  soma_inputs: maybe
                epochs: 1
                """, file: "bad.yaml")
        }
        #expect(bad.contains("bad.yaml") && bad.contains(":6") && bad.contains("true or false"), "\(bad)")
        let noDendrites = message { try Self.experiment(mode: "gd", maxDendrites: 0).validate() }
        #expect(noDendrites.contains("max_dendrites is 0"), "\(noDendrites)")
        // PB with no soma path: the layer below a layer with dendrites would get no gradient.
        let deep = message { try Self.experiment(mode: "pb", layers: "[dense 4, tanh, dense 1]").validate() }
        #expect(deep.contains("layer 0 ('dense 4') would never learn"), "\(deep)")
        #expect(message { try Self.experiment(mode: "pb", extra: ", layers: [0]", layers: "[dense 4, tanh, dense 1]").validate() } == "")
        #expect(message { try Self.experiment(mode: "gd", layers: "[dense 4, tanh, dense 1]").validate() } == "")
        #expect(message { try Self.experiment(mode: "none", maxDendrites: 0).validate() } == "", "mode none: no effect")
    }
}
