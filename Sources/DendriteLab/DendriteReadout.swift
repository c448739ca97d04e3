import DendriteCore

/// One dendrite set of one neuron, as the network view draws it (design.md 2.1).
public struct DendriteBranch: Equatable, Sendable {
    /// A[d, c]: how strongly this dendrite's output feeds the soma (signed, unitless).
    public var weight: Float
    /// v_d: the dendrite's output (sigmoid, 0...1) for the shown sample or its mean.
    public var output: Float
    /// True for a candidate still learning in the dendrite phase (drawn pulsing).
    public var isCandidate: Bool
    /// The inputs of the neuron this branch samples (indices into the previous column),
    /// or nil when it sees all of them (`dendrites.inputs: all`).
    public var inputs: [Int]?

    public init(weight: Float, output: Float, isCandidate: Bool = false, inputs: [Int]? = nil) {
        self.weight = weight
        self.output = output
        self.isCandidate = isCandidate
        self.inputs = inputs
    }

    /// "x₂", "x₁ x₂" or "h3" for the branch's sampled inputs (nil when it sees all),
    /// named as the network view labels the column they come from.
    public func inputNames(fromInputColumn: Bool) -> String? {
        inputs.map { $0.map { fromInputColumn ? "x" + subscriptDigits($0 + 1) : "h\($0 + 1)" }.joined(separator: " ") }
    }
}

/// Everything the Lab shows about one neuron's dendritic learning.
public struct NeuronDendrites: Equatable, Sendable {
    /// Dendrite sets in cascade order (set 0 first); a trailing candidate last.
    public var branches: [DendriteBranch]
    /// Size of the neuron's error E (∂L/∂y or ∂L/∂h): mean |E| over the training set, from the
    /// core's error probe (what candidates learn to correlate with). The mean of E is
    /// about 0 at a plateau, where the error has not gone away but no longer leans one way.
    public var errorSignal: Float?
    /// Correlation score S_c of the neuron's current candidate with E (0 when no candidate).
    public var candidateCorrelation: Float?
    /// The branches' nonlinearity v = f(z) (the layer's; nil for a plain layer).
    public var activation: DendriteActivation?

    public init(branches: [DendriteBranch] = [], errorSignal: Float? = nil, candidateCorrelation: Float? = nil,
                activation: DendriteActivation? = nil) {
        self.activation = activation
        self.branches = branches
        self.errorSignal = errorSignal
        self.candidateCorrelation = candidateCorrelation
    }

    public static let none = NeuronDendrites()
}

/// Reads the dendrites of each neuron of `layer` for the inputs `x` the layer just saw:
/// the Lab runs a forward pass on the shown inputs first, which leaves the dendrites'
/// and the PB candidates' outputs for exactly those inputs in the layer. `.none` for
/// plain layers.
func readDendrites(of layer: Layer, units: Int, input x: Tensor, candidates: CandidateTrainer?) -> [NeuronDendrites] {
    guard let p = layer as? PerforatedLayer else { return Array(repeating: .none, count: units) }
    let c = p.neuronCount, d = p.dendrites.count
    let rows = max(x.rows, 1)
    var out = Array(repeating: NeuronDendrites(activation: p.activation), count: c)
    // Existing sets: A from the parameters, v of the last forward averaged over the inputs.
    if let v = dendriteOutputs(of: p, rows: x.rows) {
        for ci in 0..<c {
            out[ci].branches = (0..<d).map { j in
                var mean: Float = 0
                for r in 0..<x.rows { mean += v[(r * d + j) * c + ci] }
                return DendriteBranch(weight: p.dendrites[j].output.value[ci], output: mean / Float(rows),
                                      inputs: p.sampledInputs(set: j, neuron: ci))
            }
        }
    }
    // The candidate (PB dendrite phase): its output V for the same inputs, no A yet.
    // (`candidateOutput` gathers the leading pool members each time it is read: read it once.)
    let candidateOutput = p.candidate != nil ? p.candidateOutput : .empty
    if p.showsCandidate, candidateOutput.count == x.rows * c {
        for ci in 0..<c {
            var mean: Float = 0
            for r in 0..<x.rows { mean += candidateOutput[r * c + ci] }
            out[ci].branches.append(DendriteBranch(weight: 0, output: mean / Float(rows), isCandidate: true,
                                                   inputs: p.candidateSampledInputs(neuron: ci)))
        }
    }
    // Live running correlation of each candidate with its neuron's error, as the core keeps it.
    if let r = candidates?.runningCorrelations(of: p) {
        for ci in 0..<min(c, r.count) { out[ci].candidateCorrelation = Float(r[ci]) }
    }
    return out
}

extension PerforatedLayer {
    /// A PB candidate the Lab draws as a branch: one per neuron, so dense layers only (a
    /// conv layer's candidate has an output per position).
    var showsCandidate: Bool { candidate != nil && spatial == 1 }
}

/// v of every dendrite set from the layer's last forward pass ([B, D, C] for Dense),
/// or nil when it has none or the last batch was not `rows` samples of a Dense layer.
func dendriteOutputs(of p: PerforatedLayer, rows: Int) -> Tensor? {
    let v = p.dendriteOutputs
    guard !p.dendrites.isEmpty, p.spatial == 1, v.count == rows * p.dendrites.count * p.neuronCount else { return nil }
    return v
}

/// The fully connected layer inside `layer` (itself, or the one a perforated layer
/// wraps), for drawing incoming connections.
func denseCore(of layer: Layer) -> Dense? {
    (layer as? Dense) ?? ((layer as? PerforatedLayer)?.neuron as? Dense)
}

/// 12 -> "₁₂": input labels as the network view writes them.
func subscriptDigits(_ n: Int) -> String {
    let digits = Array("₀₁₂₃₄₅₆₇₈₉")
    return String(String(n).map { c in c.wholeNumberValue.map { digits[$0] } ?? c })
}
