/// Sampled dendrite inputs on a perforated layer (`DendriteInputs`, issue 13): the
/// weight shapes, index tables and gathering layers of dendrites that see k inputs, and
/// the read-only view of which inputs each dendrite and candidate samples.
extension PerforatedLayer {
    /// W of `units` dendrites: the neuron layer's shape with `units` rows, or [units, k].
    func dendriteWeightShape(units: Int) -> [Int] {
        guard case .sampled(_, let k) = inputs else {
            var shape = neuron.weight.value.shape
            shape[0] = units
            return shape
        }
        return [units, k]
    }

    /// The inputs of `units` new sampled dendrites (nil with `.all`: nothing drawn, so
    /// runs with every input use the generator exactly as before sampling existed).
    func drawSynapses(units: Int, rng: inout RNG) -> [Int32]? {
        guard case .sampled(let rule, let k) = inputs else { return nil }
        return rule.indices(inputShape: samplingShape, dendrites: units, k: k, rng: &rng)
    }

    /// The layer computing z = W x + b of `units` dendrites (a bank or a candidate pool):
    /// a sibling of the neuron layer, or a gathering `SampledDense` reading `synapses`.
    /// A sampled layer's W and b are fresh zeros unless given.
    func dendriteLayer(units: Int, name: String, synapses: [Int32]?,
                       weight: Parameter? = nil, bias: Parameter? = nil) -> DendriteBankLayer {
        guard let synapses, case .sampled(_, let k) = inputs else {
            return neuron.sibling(outputs: units, name: name)
        }
        return SampledDense(inputSize: samplingShape.reduce(1, *), synapses: synapses, k: k,
                            weight: weight ?? Parameter(name: "\(name).weight", value: Tensor(shape: [units, k])),
                            bias: bias ?? Parameter(name: "\(name).bias", value: Tensor(shape: [units])))
    }

    /// The inputs dendrite set `d` of neuron `c` samples: indices into the layer's
    /// flattened input (ascending), or nil when its dendrites see every input (also for
    /// an index out of range). What the Lab draws over the input picture.
    public func sampledInputs(set d: Int, neuron c: Int) -> [Int]? {
        guard dendrites.indices.contains(d), (0..<neuronCount).contains(c) else { return nil }
        return dendrites[d].inputs(ofNeuron: c)
    }

    /// The same for the leading candidate of neuron `c` in a PB dendrite phase (nil
    /// outside one, or when candidates see every input).
    public func candidateSampledInputs(neuron c: Int) -> [Int]? {
        guard let candidate, (0..<neuronCount).contains(c) else { return nil }
        let m = c < leadingCandidates.count ? leadingCandidates[c] : 0
        return candidate.inputs(ofNeuron: m * neuronCount + c)
    }

    // MARK: Checkpoints

    /// Checkpoint tensor name of set d's index table.
    func synapseTensorName(set d: Int) -> String { "synapses/\(name).dendrites.\(d)" }

    /// The index tables of the sampled sets as checkpoint tensors "synapses/<set>",
    /// [C, k], each index stored exactly as F32 (inputs < 2^24); only the first `sets`
    /// sets when given (a smaller best snapshot). Empty with `.all`.
    func synapseTensors(sets: Int? = nil) -> [(name: String, tensor: Tensor)] {
        dendrites.prefix(sets ?? dendrites.count).enumerated().compactMap { d, set in
            set.synapses.map { table in
                (synapseTensorName(set: d), Tensor(shape: [neuronCount, table.count / neuronCount], table.map { Float($0) }))
            }
        }
    }

    /// Puts the stored index tables back into the sets (re-created with throwaway
    /// indices before this), so a resumed run reads exactly the inputs it read; nil, or
    /// what was wrong with the file's tables. `tensor` looks a checkpoint tensor up by name.
    func loadSynapses(_ tensor: (String) -> Tensor?) -> String? {
        guard case .sampled(_, let k) = inputs else { return nil }
        let n = samplingShape.reduce(1, *)
        for (d, set) in dendrites.enumerated() {
            let tensorName = synapseTensorName(set: d)
            guard let t = tensor(tensorName), t.shape == [neuronCount, k] else {
                return "tensor '\(tensorName)' is missing or not of shape [\(neuronCount), \(k)] (the inputs of a sampled dendrite set)"
            }
            guard t.storage.allSatisfy({ $0 >= 0 && $0 < Float(n) && $0 == $0.rounded() }) else {
                return "tensor '\(tensorName)' holds values that are not input indices 0..<\(n) (corrupt file?)"
            }
            set.synapses = t.storage.map { Int32($0) }
        }
        rebuildBank()
        return nil
    }
}
