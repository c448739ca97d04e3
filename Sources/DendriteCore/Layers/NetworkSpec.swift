/// A network as data: what experiment files and lessons describe, and what checkpoints
/// store so a saved model can be rebuilt before its weights are loaded.
public struct NetworkSpec: Codable, Equatable, Sendable {
    /// One sample's input shape (no batch dimension).
    public var inputShape: [Int]
    public var layers: [LayerSpec]

    public init(inputShape: [Int], layers: [LayerSpec]) {
        self.inputShape = inputShape
        self.layers = layers
    }

    /// An MLP: Dense(h) + activation for each hidden width, then Dense(outputs).
    public static func mlp(inputs: Int, hidden: [Int], outputs: Int,
                           activation: LayerSpec = .relu) -> NetworkSpec {
        var layers: [LayerSpec] = []
        for h in hidden { layers += [.dense(h), activation] }
        layers.append(.dense(outputs))
        return NetworkSpec(inputShape: [inputs], layers: layers)
    }
}

/// One layer of a `NetworkSpec`.
public enum LayerSpec: Codable, Equatable, Sendable {
    case dense(Int)
    case conv2d(filters: Int, kernel: Int, stride: Int, padding: Int)
    case maxPool(Int)
    case flatten
    case relu
    case tanh
    case sigmoid
    /// `DendriticLayer`: somas x dendrites per soma x inputs per dendrite, and how
    /// dendrites sample their inputs (LeakyReLU 0.1 after dendrites and somas included).
    case dendritic(somas: Int, dendrites: Int, inputs: Int, sampling: InputSampling)

    /// True for layers that hold neurons and can grow dendrites.
    public var isNeuronLayer: Bool {
        switch self {
        case .dense, .conv2d: return true
        default: return false
        }
    }
}
