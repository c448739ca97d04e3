/// One dendrite per neuron of a layer, all with the same index d: the d-th dendrite
/// set of a `PerforatedLayer` (design.md 2.1).
///
/// Names are stable so checkpoints can find them: "layers.0.dendrites.1.weight",
/// ".bias", ".K" (cascade weights, only for d >= 1) and ".A" (output weights).
public final class DendriteSet {
    /// W_d: same shape as the neuron layer's weight, [C, fanIn...].
    public let weight: Parameter
    /// b_d: [C].
    public let bias: Parameter
    /// K_d: [d, C]; K[i, c] scales the output of earlier dendrite i of neuron c into
    /// this dendrite's pre-activation. Nil for the first set (d = 0): nothing to see.
    public let cascade: Parameter?
    /// A[d, :]: [C]; how much this dendrite's output adds to each neuron's pre-activation.
    public let output: Parameter

    public init(weight: Parameter, bias: Parameter, cascade: Parameter?, output: Parameter) {
        self.weight = weight
        self.bias = bias
        self.cascade = cascade
        self.output = output
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
