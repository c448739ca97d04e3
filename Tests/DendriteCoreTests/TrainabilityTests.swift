import Testing
@testable import DendriteCore

/// The table in Trainability.swift, and a layer's parameters following it.
@Suite struct TrainabilityTests {
    @Test func theRuleMatchesTheTable() {
        let gd = Trainability(mode: .gd, phase: .neuron)
        #expect(gd.neurons && gd.dendriteInputs && gd.throughDendrites)
        let pbN = Trainability(mode: .pb, phase: .neuron)
        #expect(pbN.neurons && !pbN.dendriteInputs && !pbN.throughDendrites)
        let pbP = Trainability(mode: .pb, phase: .dendrite)
        #expect(!pbP.neurons && !pbP.dendriteInputs && !pbP.throughDendrites)
        #expect(Trainability(mode: .none, phase: .neuron) == gd)
    }

    @Test func parametersFollowTheRule() {
        var rng = RNG(seed: 3)
        let layer = PerforatedLayer(wrapping: Dense(inputSize: 3, outputSize: 2, rng: &rng, name: "layers.0"),
                                    name: "layers.0", mode: .pb)
        layer.addDendriteSet(rng: &rng, scale: 0.01)
        for (phase, neurons) in [(Phase.neuron, true), (.dendrite, false)] {
            layer.configure(mode: .pb, phase: phase)
            #expect(layer.neuron.parameters.allSatisfy { $0.trainable == neurons }, "\(phase)")
            #expect(layer.dendrites.allSatisfy { $0.output.trainable == neurons }, "\(phase): A")
            #expect(layer.dendrites.allSatisfy { $0.inputParameters.allSatisfy { !$0.trainable } }, "\(phase): frozen W_d")
        }
        layer.configure(mode: .gd, phase: .neuron)
        #expect(layer.dendrites.allSatisfy { $0.inputParameters.allSatisfy(\.trainable) }, "gd trains W_d")
    }
}
