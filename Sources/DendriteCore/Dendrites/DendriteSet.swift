/// One dendrite per neuron of a layer, all with the same index d: the d-th dendrite
/// set of a `PerforatedLayer` (design.md 2.1).
///
/// Names are stable so checkpoints can find them: "layers.0.dendrites.1.weight",
/// ".bias", ".K" (cascade weights, only for d >= 1) and ".A" (output weights).
public final class DendriteSet {
    /// W_d: same shape as the neuron layer's weight, [C, fanIn...]; [C, k] when the
    /// dendrites sample k inputs each.
    public let weight: Parameter
    /// b_d: [C].
    public let bias: Parameter
    /// K_d: [d, C]; K[i, c] scales the output of earlier dendrite i of neuron c into
    /// this dendrite's pre-activation. Nil for the first set (d = 0): nothing to see.
    public let cascade: Parameter?
    /// A[d, :]: [C]; how much this dendrite's output adds to each neuron's pre-activation.
    public let output: Parameter
    /// The inputs each dendrite reads, [C * k] neuron-major (dendrite c's k indices into
    /// the flattened input, ascending), drawn once when the set (or its candidate) was
    /// created; nil when every dendrite sees every input. Checkpoints store it.
    public internal(set) var synapses: [Int32]?

    public init(weight: Parameter, bias: Parameter, cascade: Parameter?, output: Parameter, synapses: [Int32]? = nil) {
        self.weight = weight
        self.bias = bias
        self.cascade = cascade
        self.output = output
        self.synapses = synapses
    }

    /// The inputs dendrite (neuron) c reads, or nil when it reads all of them.
    public func inputs(ofNeuron c: Int) -> [Int]? {
        guard let synapses else { return nil }
        let k = synapses.count / bias.count
        return synapses[(c * k)..<((c + 1) * k)].map { Int($0) }
    }

    /// Everything the forward pass uses, in checkpoint order.
    public var parameters: [Parameter] {
        [weight, bias] + (cascade.map { [$0] } ?? []) + [output]
    }

    /// The parameters a dendrite learns with (everything but A).
    public var inputParameters: [Parameter] {
        [weight, bias] + (cascade.map { [$0] } ?? [])
    }
}
