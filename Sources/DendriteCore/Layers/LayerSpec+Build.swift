extension LayerSpec {
    /// Instantiates the layer for a given per-sample input shape.
    func build(inputShape: [Int], rng: inout RNG, name: String) -> Layer {
        switch self {
        case .dense(let n):
            return Dense(inputSize: inputShape.reduce(1, *), outputSize: n, rng: &rng, name: name)
        case .conv2d(let filters, let kernel, let stride, let padding):
            // Invariant: specs reach here only through `Experiment.validate`, which infers every shape first.
            precondition(inputShape.count == 3,
                         "conv2d needs a per-sample input [C, H, W], got \(inputShape)")
            return Conv2D(inputChannels: inputShape[0], outputChannels: filters, kernel: kernel,
                          stride: stride, padding: padding, rng: &rng, name: name)
        case .maxPool(let size):
            return MaxPool2D(size: size)
        case .flatten: return Flatten()
        case .relu: return ReLU()
        case .tanh: return Activation(.tanh)
        case .sigmoid: return Activation(.sigmoid)
        case .dendritic(let s, let d, let k, let sampling):
            return DendriticLayer(inputShape: inputShape, somas: s, dendrites: d, inputs: k,
                                  sampling: sampling, rng: &rng, name: name)
        }
    }
}
