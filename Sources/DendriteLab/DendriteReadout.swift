import DendriteCore

/// One dendrite set of one neuron, as the network view draws it (DESIGN 2.1).
public struct DendriteBranch: Equatable, Sendable {
    /// A[d, c]: how strongly this dendrite's output feeds the soma (signed, unitless).
    public var weight: Float
    /// v_d: the dendrite's output (sigmoid, 0...1) for the shown sample or its mean.
    public var output: Float
    /// True for a candidate still learning in the dendrite phase (drawn pulsing).
    public var isCandidate: Bool

    public init(weight: Float, output: Float, isCandidate: Bool = false) {
        self.weight = weight
        self.output = output
        self.isCandidate = isCandidate
    }
}

/// Everything the Lab shows about one neuron's dendritic learning.
public struct NeuronDendrites: Equatable, Sendable {
    /// Dendrite sets in cascade order (set 0 first); a trailing candidate last.
    public var branches: [DendriteBranch]
    /// Running mean of the neuron's error E = dL/dy (what candidates learn to correlate with).
    public var errorSignal: Float?
    /// Correlation score S_c of the neuron's current candidate with E (0 when no candidate).
    public var candidateCorrelation: Float?

    public init(branches: [DendriteBranch] = [], errorSignal: Float? = nil, candidateCorrelation: Float? = nil) {
        self.branches = branches
        self.errorSignal = errorSignal
        self.candidateCorrelation = candidateCorrelation
    }

    public static let none = NeuronDendrites()
}

/// A layer of the core that can report its neurons' dendrites. Values describe the most
/// recent forward pass (the Lab runs one on the shown sample just before reading).
public protocol DendriteReadable {
    func readDendrites() -> [NeuronDendrites]
}

/// The dendrites of each neuron of `layer`; `.none` for all when the layer has none.
func readDendrites(of layer: Layer, units: Int) -> [NeuronDendrites] {
    guard let r = layer as? DendriteReadable else { return Array(repeating: .none, count: units) }
    let d = r.readDendrites()
    return d.count == units ? d : Array(repeating: .none, count: units)
}

/// The fully connected layer inside `layer` (itself, or the one a dendrite wrapper holds),
/// for drawing incoming connections.
func denseCore(of layer: Layer) -> Dense? {
    layer as? Dense
}
