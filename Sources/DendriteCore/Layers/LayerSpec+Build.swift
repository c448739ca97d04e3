extension LayerSpec {
    /// Instantiates the layer for a given per-sample input shape.
    func build(inputShape: [Int], rng: inout RNG, name: String) -> Layer {
        switch self {
        case .dense(let n):
            return Dense(inputSize: inputShape.reduce(1, *), outputSize: n, rng: &rng, name: name)
        case .conv2d, .maxPool:
            fatalError("\(self) is not available yet")
        case .flatten: return Flatten()
        case .relu: return ReLU()
        case .tanh: return Activation(.tanh)
        case .sigmoid: return Activation(.sigmoid)
        }
    }
}
