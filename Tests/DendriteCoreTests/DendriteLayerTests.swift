import Testing
@testable import DendriteCore

/// A Dense(in -> c) perforated layer with `sets` dendrite sets whose weights, cascade and
/// output weights are all far from zero, so every path carries gradient. `dendriteInputs`
/// and `samplingShape` give the dendrites sampled inputs (`DendriteInputs`).
func perforatedDense(inputs: Int, neurons: Int, sets: Int, mode: DendriteMode, seed: UInt64,
                     activation: DendriteActivation = .sigmoid, dendriteInputs: DendriteInputs = .all,
                     samplingShape: [Int]? = nil) -> PerforatedLayer {
    var rng = RNG(seed: seed)
    let dense = Dense(inputSize: inputs, outputSize: neurons, rng: &rng, name: "layers.0")
    let layer = PerforatedLayer(wrapping: dense, name: "layers.0", mode: mode, activation: activation,
                                inputs: dendriteInputs, samplingShape: samplingShape)
    for _ in 0..<sets { layer.addDendriteSet(rng: &rng, scale: 0.7) }
    for s in layer.dendrites {
        for i in 0..<s.output.count { s.output.value[i] = rng.uniform(-1, 1) }
    }
    return layer
}

@Suite struct DendriteLayerTests {
    @Test func gdDenseLayerWithCascadeMatchesFiniteDifferences() {
        let layer = perforatedDense(inputs: 4, neurons: 3, sets: 2, mode: .gd, seed: 5)
        #expect(layer.dendrites[1].cascade != nil)
        // Inputs, neuron W and b, and per set W_d, b_d, K_d (d = 1) and A_d are all checked.
        #expect(layer.parameters.count == 2 + 3 + 4)
        #expect(gradientCheckError(layer, input: randomTensor([5, 4], seed: 6)) < 2e-3)
    }

    @Test func gdDenseLayerWithTanhDendritesMatchesFiniteDifferences() {
        let layer = perforatedDense(inputs: 3, neurons: 2, sets: 3, mode: .gd, seed: 8, activation: .tanh)
        #expect(gradientCheckError(layer, input: randomTensor([4, 3], seed: 9)) < 2e-3)
    }

    @Test func parametersHaveStableNamesAndExactCounts() {
        let layer = perforatedDense(inputs: 4, neurons: 3, sets: 2, mode: .gd, seed: 5)
        #expect(layer.parameters.map(\.name) == [
            "layers.0.weight", "layers.0.bias",
            "layers.0.dendrites.0.weight", "layers.0.dendrites.0.bias", "layers.0.dendrites.0.A",
            "layers.0.dendrites.1.weight", "layers.0.dendrites.1.bias", "layers.0.dendrites.1.K",
            "layers.0.dendrites.1.A"])
        let b = layer.parameterBreakdown
        #expect(b.neurons == 4 * 3 + 3)
        #expect(b.dendrites == 2 * (4 * 3 + 3))
        #expect(b.cascade == 1 * 3)           // K_1 is 1 x C; K_0 does not exist
        #expect(b.outputWeights == 2 * 3)     // A is D x C
        #expect(b.total == layer.parameterCount)
    }

    @Test func insertingADendriteKeepsOutputs() {
        for mode in [DendriteMode.gd, .pb] {
            let layer = perforatedDense(inputs: 4, neurons: 3, sets: 1, mode: mode, seed: 15)
            let x = randomTensor([6, 4], seed: 16)
            let before = layer.forward(x, training: false)
            var rng = RNG(seed: 17)
            layer.addDendriteSet(rng: &rng)
            #expect(layer.dendrites.count == 2)
            // Equal up to rounding: the wider batched sgemm may sum in another order.
            #expect(maxDifference(layer.forward(x, training: false), before) < 1e-5, "\(mode): direct insertion changed outputs")
            // PB's path: a candidate runs beside the layer, then becomes a dendrite with A = 0.
            layer.beginCandidate(rng: &rng)
            #expect(maxDifference(layer.forward(x, training: true), before) < 1e-5, "\(mode): candidate changed outputs")
            layer.acceptCandidate()
            #expect(layer.dendrites.count == 3)
            #expect(maxDifference(layer.forward(x, training: false), before) < 1e-5, "\(mode): accepted candidate changed outputs")
        }
    }

    @Test func dendritesChangeOutputsOnceTheirOutputWeightsAreNonzero() {
        // Guards the test above against a forward that ignores dendrites altogether.
        let with = perforatedDense(inputs: 4, neurons: 3, sets: 1, mode: .gd, seed: 15)
        let x = randomTensor([6, 4], seed: 16)
        let y = with.forward(x, training: false).storage
        let n = with.neuron.forward(x, training: false).storage
        #expect(zip(y, n).contains { abs($0 - $1) > 1e-3 })
    }
}

func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape)
    return zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}
