import DendriteCore

/// One benchmark model: the network, how it is dendritic, and PyTorch's reference speed.
///
/// Names match `Benchmarks/pytorch_bench.py --workload`: `mlp`, `cnn`, and for the
/// narrow MLP 784-8-10 (`narrow`) and the CNN `<base>-gd<k>` (GD mode, k dendrite sets,
/// everything trained by SGD) and `<base>-pb<k>` (a PB dendrite phase that trains the
/// k-th set: k-1 accepted frozen sets plus the candidates, stepped by Adam through
/// `CandidateTrainer`). `<base>-pn<k>` (ours only) is a PB neuron-phase epoch with k
/// accepted sets: the denominator of the "dendrite phase <= 1.5x neuron phase" goal.
/// `local16-<tag><k>` (ours only) is the narrow MLP's row with dendrites and candidates
/// that each see a local 4x4 patch (`inputs: local 16`), beside its dense twin.
struct Workload {
    enum Dendrites { case none, gd, pbDendritePhase, pbNeuronPhase }

    let name: String
    let spec: NetworkSpec
    let dendrites: Dendrites
    /// Dendrite sets: for `.pbDendritePhase` the one being trained counts.
    let sets: Int
    /// Samples per second of the same model, batch and optimizer in PyTorch 2.x CPU with
    /// one thread on this machine kind (the fallback when torch is not run alongside): the
    /// median of the `compare` runs of 2026-12-01 (mlp 88057-118980, cnn 5088-7346 in
    /// seven and four runs). The earlier 191000 and 11400 were above anything torch
    /// reached on these machines and made our rows read 0.6-0.8x torch.
    let torchSamplesPerSecond: Double?
    /// Which inputs the dendrites see.
    var inputs: DendriteInputs = .all
    /// Whether pytorch_bench.py knows this workload.
    var hasTorchTwin: Bool { dendrites != .pbNeuronPhase && inputs == .all }
    /// The same workload with dendrites that see every input (what a sampled row is compared with).
    var denseTwin: String? {
        guard inputs != .all, let dash = name.firstIndex(of: "-") else { return nil }
        return "narrow" + name[dash...]
    }

    static let mlpSpec = NetworkSpec(inputShape: [1, 28, 28], layers: [.flatten, .dense(128), .relu, .dense(10)])
    static let narrowSpec = NetworkSpec(inputShape: [1, 28, 28], layers: [.flatten, .dense(8), .relu, .dense(10)])
    static let cnnSpec = NetworkSpec(inputShape: [1, 28, 28], layers: [
        .conv2d(filters: 16, kernel: 3, stride: 1, padding: 0), .relu, .maxPool(2),
        .conv2d(filters: 32, kernel: 3, stride: 1, padding: 0), .relu, .maxPool(2),
        .flatten, .dense(10),
    ])

    /// Issue 13's dANN: 128 somas x 8 dendrites x 16 local inputs, then dense 10.
    static let dannSpec = NetworkSpec(inputShape: [1, 28, 28], layers: [
        .dendritic(somas: 128, dendrites: 8, inputs: 16, sampling: .local), .dense(10),
    ])
    static let dann = Workload(name: "dann", spec: dannSpec, dendrites: .none, sets: 0, torchSamplesPerSecond: nil)

    static let mlp = Workload(name: "mlp", spec: mlpSpec, dendrites: .none, sets: 0, torchSamplesPerSecond: 108_000)
    static let cnn = Workload(name: "cnn", spec: cnnSpec, dendrites: .none, sets: 0, torchSamplesPerSecond: 6_000)

    static func dendritic(_ base: String, _ spec: NetworkSpec, _ kind: Dendrites, _ sets: Int,
                          inputs: DendriteInputs = .all) -> Workload {
        let tag = switch kind {
        case .none: ""
        case .gd: "gd"
        case .pbDendritePhase: "pb"
        case .pbNeuronPhase: "pn"
        }
        return Workload(name: "\(base)-\(tag)\(sets)", spec: spec, dendrites: kind, sets: sets, torchSamplesPerSecond: nil,
                        inputs: inputs)
    }

    static let dendriteWorkloads: [Workload] = [("narrow", narrowSpec), ("cnn", cnnSpec)].flatMap { base, spec in
        [dendritic(base, spec, .gd, 1), dendritic(base, spec, .gd, 3),
         dendritic(base, spec, .pbDendritePhase, 1), dendritic(base, spec, .pbDendritePhase, 3)]
    }
    /// The narrow rows again with local 16-input dendrites and candidates.
    static let localWorkloads: [Workload] = [(Dendrites.gd, 1), (.gd, 3), (.pbDendritePhase, 1), (.pbDendritePhase, 3)].map {
        dendritic("local16", narrowSpec, $0.0, $0.1, inputs: .sampled(.local, k: 16))
    }
    /// PB neuron-phase epochs at 0 and 1 accepted sets (for the phase-time ratio).
    static let neuronPhaseWorkloads: [Workload] = [("narrow", narrowSpec), ("cnn", cnnSpec)].flatMap { base, spec in
        [dendritic(base, spec, .pbNeuronPhase, 0), dendritic(base, spec, .pbNeuronPhase, 1)]
    }

    static let all = [mlp, cnn, dann] + dendriteWorkloads + localWorkloads + neuronPhaseWorkloads

    static func named(_ name: String) -> Workload? { all.first { $0.name == name } }
}

/// Matrix-product floating-point operations of one training sample (forward + backward)
/// of `network`: 2*M*N*K per product, for the forward product, the weight gradient, and
/// the input gradient where the layer propagates one. Dendrite banks and candidates
/// count like the layers they copy (their products are the same shape, D*C outputs wide).
/// Bias, activation, pooling and im2col work are not counted: this is the work a BLAS
/// would do.
func matmulFlopsPerSample(_ network: Network) -> Double {
    var flops = 0.0
    for (layer, out) in zip(network.layers, network.shapes) {
        func macs(_ l: Layer, outputs: Int) -> Double {
            if let d = l as? Dense { return Double(d.inputSize * outputs) }
            if let c = l as? Conv2D {
                return Double(outputs * c.inputChannels * c.kernel * c.kernel * out[1] * out[2])
            }
            return 0
        }
        let products = layer.propagatesGradient ? 3.0 : 2.0
        if let d = layer as? DendriticLayer {
            // Only the connections that exist: S*D*k dendrite and S*D soma multiply-adds.
            let sparse = Double(d.dendriteCount * (d.inputsPerDendrite + 1))
            flops += 2 * sparse * (layer.propagatesGradient ? 3 : 2)
        } else if let p = layer as? PerforatedLayer {
            let c = p.neuronCount
            let frozen = p.mode == .pb && p.phase == .dendrite
            // Neurons: forward, and (unless frozen in a dendrite phase) dW; dx when below.
            flops += 2 * macs(p.neuron, outputs: c) * ((frozen ? 1 : 2) + (layer.propagatesGradient ? 1 : 0))
            // Sampled dendrites: only their k connections each.
            func dendriteMacs(_ units: Int) -> Double {
                if case .sampled(_, let k) = p.inputs { return Double(units * k) }
                return macs(p.neuron, outputs: units)
            }
            // Bank of D sets: forward; GD also dW and dx.
            let bank = dendriteMacs(p.dendrites.count * c)
            flops += 2 * bank * (p.mode == .gd ? products : 1)
            // Candidate: forward and dW (its input is detached).
            if p.candidate != nil { flops += 2 * dendriteMacs(c) * 2 }
        } else {
            flops += 2 * macs(layer, outputs: (layer as? Dense)?.outputSize ?? (layer as? Conv2D)?.outputChannels ?? 0) * products
        }
    }
    return flops
}
