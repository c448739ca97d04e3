/// A trainable tensor and its gradient. Layers own their parameters; optimizers update
/// them in place through this shared reference, so adding a dendrite never has to
/// re-wire the optimizer beyond calling `Optimizer.reset()`.
public final class Parameter {
    /// Stable, human-readable name used in checkpoints ("layer1.dense.weight").
    public var name: String
    public var value: Tensor
    /// dLoss/dvalue for the last backward pass (overwritten, not accumulated).
    public var grad: Tensor
    /// Frozen parameters keep their value: optimizers skip them. Used by PB to freeze
    /// neurons during the dendrite phase and dendrites during the neuron phase.
    public var trainable: Bool = true
    /// Multiplies the optimizer's learning rate for this parameter: 1, except a dendrite's
    /// output weights A under `dendrites.output_lr_scale` (`DendriteConfig`).
    public var learningRateScale: Float = 1

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.grad = Tensor(shape: value.shape)
    }

    public var count: Int { value.count }

    /// Weight and bias initialised as `torch.nn.Linear` and `torch.nn.Conv2d` do by default
    /// (kaiming_uniform with a = sqrt 5): both U(-1/sqrt(fanIn), 1/sqrt(fanIn)), the weight
    /// drawn first, so our networks start where a PyTorch reference of them would.
    static func torchDefault(name: String, weightShape: [Int], fanIn: Int,
                             rng: inout RNG) -> (weight: Parameter, bias: Parameter) {
        let bound = 1 / Float(fanIn).squareRoot()
        var w = Tensor(shape: weightShape)
        for i in 0..<w.count { w[i] = rng.uniform(-bound, bound) }
        var b = Tensor(shape: [weightShape[0]])
        for i in 0..<b.count { b[i] = rng.uniform(-bound, bound) }
        return (Parameter(name: "\(name).weight", value: w), Parameter(name: "\(name).bias", value: b))
    }
}

/// One stage of a network. Forward and backward live side by side in each conforming
/// file, with the shapes written above them.
///
/// Contract: `forward` caches what `backward` needs; `backward(dy)` must follow the
/// `forward` of the same batch, overwrites each parameter's `grad`, and returns dL/dx
/// (or `.empty` when `propagatesGradient` is false, e.g. for the first layer).
/// `backward` may drop what `forward` cached (Dense releases its input so the layer
/// before it can refill its output buffer without a copy), so each `backward` needs
/// its own `forward`.
public protocol Layer: AnyObject {
    /// Short kind name for reports and the Lab ("dense", "conv2d", "relu").
    var kind: String { get }
    /// Shape of one sample's output given one sample's input shape (no batch dimension).
    func outputShape(for inputShape: [Int]) -> [Int]
    /// x: [B, inputShape...] -> [B, outputShape...]
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// dy: [B, outputShape...] -> dx: [B, inputShape...]
    func backward(_ dy: Tensor) -> Tensor
    /// Trainable parameters in a fixed order (empty for activations).
    var parameters: [Parameter] { get }
    /// When false, `backward` may skip computing dL/dx (the network's first layer).
    var propagatesGradient: Bool { get set }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }
}
