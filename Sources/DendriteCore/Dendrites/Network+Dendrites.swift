/// Growing dendrites on a network: which layers have them, how many, what they cost.
extension Network {
    /// Wraps neuron layers (Dense, Conv2D) in `PerforatedLayer`s so they can grow
    /// dendrites. `layers` selects by index into `self.layers`; nil means every neuron
    /// layer (the public library's default). Layers already wrapped are re-configured.
    /// Wrapping alone changes nothing the network computes. `inputs` says which inputs
    /// new dendrites see (sampled ones draw from the image before a flatten in front).
    /// `somaInputs` false zeroes the wrapped layers' own input weights (W) for good: a
    /// change of what the network computes, unlike wrapping.
    @discardableResult
    public func perforate(mode: DendriteMode, activation: DendriteActivation = .sigmoid, inputs: DendriteInputs = .all,
                          layers selection: [Int]? = nil, somaInputs: Bool = true,
                          statisticsRate: Double = 0.01,
                          errorSignal: DendriteConfig.ErrorSignal = .preactivation,
                          outputLearningRateScale: Float = 1) -> [PerforatedLayer] {
        for (i, layer) in layers.enumerated() where selection?.contains(i) ?? true {
            if let p = layer as? PerforatedLayer {
                p.configure(mode: mode, phase: p.phase)
                p.errorSignal = errorSignal
                p.outputLearningRateScale = outputLearningRateScale
            } else if let n = layer as? NeuronLayer {
                let p = PerforatedLayer(wrapping: n, name: "layers.\(i)", mode: mode, activation: activation,
                                        inputs: inputs, samplingShape: samplingShape(ofLayer: i),
                                        somaInputs: somaInputs, statisticsRate: statisticsRate)
                p.errorSignal = errorSignal
                p.outputLearningRateScale = outputLearningRateScale
                replaceLayer(at: i, with: p)
            }
        }
        return perforatedLayers
    }

    /// Which gradient layer i's error E is, the one its candidates correlate with and
    /// `NeuronProbe` reports: `.output` (dL/dh) when layer i is perforated with
    /// `ErrorSignal.output` and an activation layer directly follows it, otherwise
    /// `.preactivation` (dL/dy; also for layers without dendrites).
    public func errorSignal(ofLayer i: Int) -> DendriteConfig.ErrorSignal {
        guard i >= 0, i + 1 < layers.count, let p = layers[i] as? PerforatedLayer, p.errorSignal == .output,
              layers[i + 1] is ReLU || layers[i + 1] is Activation else { return .preactivation }
        return .output
    }

    /// Gives a perforated layer whose E is the gradient at its activation's output
    /// (`errorSignal(ofLayer:)`) that gradient, `g` = dL/dh entering layer i, when layer i
    /// is the activation directly after it. Its next backward takes it.
    func handErrorSignal(_ g: Tensor, enteringLayer i: Int) {
        guard i > 0, errorSignal(ofLayer: i - 1) == .output, let p = layers[i - 1] as? PerforatedLayer else { return }
        p.activationGradient = g
    }

    /// The shape layer i's input has as a picture: its input shape, or the input of a
    /// flatten directly in front of it.
    func samplingShape(ofLayer i: Int) -> [Int] {
        func input(_ j: Int) -> [Int] { j == 0 ? inputShape : shapes[j - 1] }
        if i > 0, spec.layers[i - 1] == .flatten { return input(i - 1) }
        return input(i)
    }

    /// The layers that can hold dendrites, in network order.
    public var perforatedLayers: [PerforatedLayer] { layers.compactMap { $0 as? PerforatedLayer } }

    /// Dendrite sets per neuron (the largest over layers; all layers grow together).
    public var dendriteCount: Int { perforatedLayers.map { $0.dendrites.count }.max() ?? 0 }

    /// The held, all-zero W of layers whose soma inputs are off, under their usual names.
    /// Not parameters; saved files carry them beside the parameters so that a reader
    /// outside this program applies y = W x + b + ... as written (docs/checkpoints.md).
    public var heldSomaWeights: [(name: String, tensor: Tensor)] {
        perforatedLayers.filter { !$0.somaInputs }.map { ($0.neuron.weight.name, $0.neuron.weight.value) }
    }

    /// Whether every layer with dendrites keeps its soma inputs (true without any).
    public var somaInputs: Bool { perforatedLayers.allSatisfy(\.somaInputs) }

    /// Exact parameter counts split into neurons, dendrites, cascade and output weights.
    /// Layers without dendrites count as neurons.
    public var parameterBreakdown: ParameterBreakdown {
        var total = ParameterBreakdown()
        for l in layers {
            if let p = l as? PerforatedLayer { total = total + p.parameterBreakdown }
            else { total.neurons += l.parameterCount }
        }
        return total
    }

    /// Values of every parameter plus the dendrite count of each layer: enough to go back
    /// to an earlier, smaller architecture (restoring "the best model").
    public func snapshot() -> NetworkSnapshot {
        NetworkSnapshot(dendriteCounts: perforatedLayers.map { $0.dendrites.count },
                        values: parameters.map { ($0, $0.value) })
    }

    public func restore(_ snapshot: NetworkSnapshot) {
        for (l, n) in zip(perforatedLayers, snapshot.dendriteCounts) {
            l.discardCandidate()
            l.truncateDendrites(to: n)
        }
        for (p, v) in snapshot.values { p.value = v }
    }
}

/// A network's weights at one moment, held in memory (not a checkpoint file).
public struct NetworkSnapshot {
    public let dendriteCounts: [Int]
    let values: [(Parameter, Tensor)]
}
