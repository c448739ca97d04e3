/// A neuron layer (Dense or Conv2D) with dendrites (design.md 2.1):
///
///     n   = W x + b                                   the wrapped layer, [B, C, S]
///     z_d = W_d x + b_d + sum_{i<d} K_d[i,c] v_i      dendrite set d, same input x
///     v_d = f(z_d)                                    sigmoid (tanh, relu selectable)
///     y   = n + sum_d A[d,c] v_d                      this layer's output
///
/// S is 1 for Dense and H*W for Conv2D: K and A are one scalar per (dendrite, neuron)
/// and broadcast over the spatial map. All D dendrite sets run as one sibling layer with
/// D*C outputs (the "bank"), so their matmuls are a single sgemm. The per-set
/// `Parameter`s are the source of truth; the bank's weights are refreshed from them
/// before every forward (a copy that costs 1/B of the matmul).
///
/// Gradient flow by mode and phase:
/// - `gd`: everything is trained by ordinary backprop, through the dendrites into x.
/// - `pb`, neuron phase: the dendrite path is a constant. Only W, b and A get gradients;
///   dL/dx is the neuron path's alone.
/// - `pb`, dendrite phase: all of the above is frozen; the candidate set (one new
///   dendrite per neuron) runs beside the layer without touching y, and its input is
///   detached. `CandidateTrainer` drives it from `poolOutput` and `errors`.
public final class PerforatedLayer: Layer {
    public let neuron: NeuronLayer
    /// Name prefix of this layer's parameters, e.g. "layers.0".
    public let name: String
    public internal(set) var dendrites: [DendriteSet] = []
    /// Present only during a PB dendrite phase.
    public internal(set) var candidate: DendriteSet?
    public private(set) var mode: DendriteMode
    public private(set) var phase: Phase = .neuron
    public let activation: DendriteActivation
    /// Which inputs each dendrite (and candidate) sees: `.all`, or k of them
    /// (`DendriteInputs.sampled`, Dense layers with more than k inputs only).
    public let inputs: DendriteInputs
    /// The shape `inputs` samples from: the layer's input, or the image before a flatten
    /// in front of it, so a `local` patch is a patch of the picture (what the indices of
    /// `sampledInputs(set:neuron:)` index, flattened row-major).
    public let samplingShape: [Int]
    /// False: the neuron's own input weights W are 0 and never trained, so it sees its
    /// inputs only through its branches (`DendriteConfig.somaInputs`). W then is not
    /// among `parameters` (so no optimizer, snapshot or count sees it; saved files hold
    /// it as zeros, `Network.heldSomaWeights`).
    public let somaInputs: Bool
    /// Running mean and variance of the per-sample error E = dL_i/dy (`errorSignal`), per neuron,
    /// averaged over samples and spatial positions (design.md 2.2 step 1). Updated by
    /// every training backward pass.
    public var errorStatistics: RunningMoments
    /// When false, backward leaves `errorStatistics` alone (measurement passes).
    public var tracksErrors = true
    /// Which gradient is E (`DendriteConfig.errorSignal`). For `.output` the network hands
    /// this layer the gradient entering the activation after it (`activationGradient`).
    public var errorSignal: DendriteConfig.ErrorSignal = .preactivation
    /// dL/dh of the activation layer after this one, for the next `backward` only.
    var activationGradient: Tensor?
    /// The optimizer rate multiple of every dendrite's A (`DendriteConfig.outputLearningRateScale`).
    public var outputLearningRateScale: Float = 1 { didSet { applyTrainability() } }

    public var kind: String { neuron.kind }
    public var neuronCount: Int { neuron.neuronCount }

    public var propagatesGradient: Bool {
        didSet {
            neuron.propagatesGradient = propagatesGradient
            bank?.propagatesGradient = propagatesGradient
        }
    }

    private var bank: DendriteBankLayer?
    private var bankShape: [Int] = []
    private var output = Tensor.empty
    /// v of every set: [B, D, C, S].
    var dendriteOutput = Tensor.empty
    private var dendriteGrad = Tensor.empty
    private var gradInput = Tensor.empty
    var candidateGrad = Tensor.empty
    /// Every dendrite's output v of the last forward: [B, D, C, S] (for the Lab's
    /// per-dendrite heatmaps). Empty before the first forward with dendrites.
    public var dendriteOutputs: Tensor { dendriteOutput }
    /// Every candidate's output V of the last forward: [B, P*C, S], pool-major.
    public internal(set) var poolOutput = Tensor.empty
    /// Per neuron, the pool member shown as "the" candidate (the best measured so far;
    /// `CandidateTrainer` keeps it current).
    public internal(set) var leadingCandidates: [Int] = []
    /// Per-sample error of the last backward, B * dL/dy (B * dL/dh for `errorSignal`
    /// output): [B, C, S] (dendrite phase only).
    public private(set) var errors = Tensor.empty
    /// Shape of the last batch: samples and spatial positions per neuron.
    public private(set) var lastBatch = 0
    public private(set) var spatial = 1
    // Flat copies of K (d-major, [D, D, C]) and A ([D, C]) for the kernels, and their
    // gradients: raw scratch, so a kernel call needs no nested buffer closures.
    private let kFlat = WorkBuffer(), aFlat = WorkBuffer()
    /// Pre-activations z of the dendrites ([B, D, C, S]) and of the candidates
    /// ([B, P*C, S]), kept only when f' cannot be written in v alone (`needsInput`: dcaap).
    let dendritePreActivation = WorkBuffer(), candidatePreActivation = WorkBuffer()
    private let kGrad = WorkBuffer(), aGrad = WorkBuffer()

    /// `samplingShape` is the shape sampled inputs are drawn from (default: the Dense
    /// layer's flat input); sampled inputs on a Conv2D layer are refused by validation
    /// (`DendriteInputs.problem`) before a network is built.
    public init(wrapping neuron: NeuronLayer, name: String, mode: DendriteMode,
                activation: DendriteActivation = .sigmoid, inputs: DendriteInputs = .all,
                samplingShape: [Int]? = nil, somaInputs: Bool = true, statisticsRate: Double = 0.01) {
        self.neuron = neuron
        self.somaInputs = somaInputs
        if !somaInputs { neuron.weight.value.fill(0) }
        self.name = name
        self.mode = mode
        self.activation = activation
        let fanIn = neuron.weight.count / neuron.neuronCount
        self.inputs = inputs.on(fanIn: fanIn)
        // Invariant: Experiment.validate refuses sampled inputs on conv layers (DendriteInputs.problem) before a network is built.
        precondition(self.inputs == .all || neuron is Dense, "sampled dendrite inputs on a \(neuron.kind) layer")
        self.samplingShape = samplingShape.flatMap { $0.reduce(1, *) == fanIn ? $0 : nil } ?? [fanIn]
        self.propagatesGradient = neuron.propagatesGradient
        self.errorStatistics = RunningMoments(channels: neuron.neuronCount, rate: statisticsRate)
        applyTrainability()
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { neuron.outputShape(for: inputShape) }

    /// Everything the forward pass uses: neuron W (unless soma inputs are off), b, then
    /// per set W_d, b_d, K_d, A_d. The candidate is not included (it does not change y);
    /// see `candidateParameters`.
    public var parameters: [Parameter] {
        (somaInputs ? neuron.parameters : [neuron.bias]) + dendrites.flatMap { $0.parameters }
    }

    public var candidateParameters: [Parameter] { candidate?.inputParameters ?? [] }

    /// Exact parameter counts of what the forward pass uses.
    public var parameterBreakdown: ParameterBreakdown {
        var p = ParameterBreakdown()
        p.neurons = somaInputs ? neuron.parameterCount : neuron.bias.count
        for d in dendrites {
            p.dendrites += d.weight.count + d.bias.count
            p.cascade += d.cascade?.count ?? 0
            p.outputWeights += d.output.count
        }
        return p
    }

    // MARK: - Structure

    /// Switches mode and phase and sets which parameters are trainable.
    public func configure(mode: DendriteMode, phase: Phase) {
        self.mode = mode
        self.phase = phase
        applyTrainability()
    }

    /// Who learns and where gradients flow now (from `mode` and `phase`).
    public var trainability: Trainability { Trainability(mode: mode, phase: phase, somaInputs: somaInputs) }

    private func applyTrainability() {
        let rule = trainability
        let neuronsLearn = rule.neurons
        for p in neuron.parameters {
            p.trainable = p === neuron.weight ? rule.somaWeights : neuronsLearn
            if !p.trainable { p.grad.fill(0) }
        }
        neuron.computesParameterGradients = neuronsLearn
        for d in dendrites {
            let inputsLearn = rule.dendriteInputs
            for p in d.inputParameters {
                p.trainable = inputsLearn
                if !inputsLearn { p.grad.fill(0) }
            }
            d.output.trainable = neuronsLearn
            d.output.learningRateScale = outputLearningRateScale
            if !neuronsLearn { d.output.grad.fill(0) }
        }
        // Candidates exist only while they learn (a PB dendrite phase).
        for p in candidateParameters { p.trainable = true }
    }

    /// A fresh dendrite set (weights, bias and cascade 0.01 * randn, as design.md 2.2),
    /// with A = 0 so the layer's output is unchanged by it.
    func makeSet(index d: Int, scale: Float, rng: inout RNG) -> DendriteSet {
        let prefix = "\(name).dendrites.\(d)"
        func randn(_ shape: [Int], _ suffix: String) -> Parameter {
            var t = Tensor(shape: shape)
            for i in 0..<t.count { t[i] = scale * rng.normal() }
            return Parameter(name: "\(prefix).\(suffix)", value: t)
        }
        let c = neuronCount
        return DendriteSet(weight: randn(dendriteWeightShape(units: c), "weight"),
                           bias: randn([c], "bias"),
                           cascade: d == 0 ? nil : randn([d, c], "K"),
                           output: Parameter(name: "\(prefix).A", value: Tensor(shape: [c])),
                           synapses: drawSynapses(units: c, rng: &rng))
    }

    /// Inserts a trained-from-here dendrite set (GD mode, or PB tests): the network's
    /// outputs do not change because its A row is zero.
    public func addDendriteSet(rng: inout RNG, scale: Float = 0.01) {
        dendrites.append(makeSet(index: dendrites.count, scale: scale, rng: &rng))
        rebuildBank()
        applyTrainability()
    }

    /// Removes the newest dendrite sets until `count` remain (restoring a smaller
    /// architecture from a snapshot).
    public func truncateDendrites(to count: Int) {
        guard count < dendrites.count else { return }
        dendrites.removeLast(dendrites.count - count)
        rebuildBank()
        applyTrainability()
    }

    /// The candidates' own layer (P*C units beside the neurons) during a PB dendrite phase.
    /// Public for reading so `dendrite-bench` can time its products alone.
    public internal(set) var candidateLayer: DendriteBankLayer?

    /// Whether any of this layer's products (the neurons', the dendrite bank's, the
    /// candidates') is cut over several workers for a batch of `batch` (`NeuronLayer.splitsWork`).
    public func splitsWork(batch: Int) -> Bool {
        [neuron as DendriteBankLayer?, bank, candidateLayer].contains { ($0 as? NeuronLayer)?.splitsWork(batch: batch) == true }
    }

    func rebuildBank() {
        let d = dendrites.count
        if d == 0 { bank = nil; return }
        let synapses = dendrites.first?.synapses == nil ? nil : dendrites.flatMap { $0.synapses ?? [] }
        let b = dendriteLayer(units: d * neuronCount, name: "\(name).dendriteBank", synapses: synapses)
        b.propagatesGradient = propagatesGradient
        bank = b
    }

    /// Copies every set's W_d, b_d into the bank and K, A into flat arrays.
    private func syncBank() {
        guard let bank else { return }
        let c = neuronCount, d = dendrites.count
        let fan = bank.weight.count / (d * c)
        bank.weight.value.withUnsafeMutableBufferPointer { w in
            bank.bias.value.withUnsafeMutableBufferPointer { b in
                for (i, s) in dendrites.enumerated() {
                    s.weight.value.withUnsafeBufferPointer {
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        (w.baseAddress! + i * c * fan).update(from: $0.baseAddress!, count: c * fan)
                    }
                    s.bias.value.withUnsafeBufferPointer {
                        (b.baseAddress! + i * c).update(from: $0.baseAddress!, count: c)
                    }
                }
            }
        }
        kFlat.reserve(d * d * c)
        aFlat.reserve(d * c)
        for (j, set) in dendrites.enumerated() {
            for i in 0..<c { aFlat.pointer[j * c + i] = set.output.value[i] }
            if let k = set.cascade {
                for i in 0..<j { for n in 0..<c { kFlat.pointer[(j * d + i) * c + n] = k.value[i * c + n] } }
            }
        }
    }

    // MARK: - Forward

    // x: [B, inputShape...]  ->  y: [B, C, (H, W)]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let n = neuron.forward(x, training: training)
        let c = neuronCount, batch = n.rows
        let s = n.columns / c
        lastBatch = batch
        spatial = s
        let d = dendrites.count
        if d == 0 {
            // y = n: the candidates (a first dendrite phase) do not touch it.
            if let cand = candidate, let layer = candidateLayer {
                forwardCandidate(cand, layer, x, training: training, batch: batch, spatial: s)
            }
            return n
        }

        output.resize(to: n.shape)
        n.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                let src = src.baseAddress!, dst = dst.baseAddress!
                Parallel.forRanges(n.count) { r in (dst + r.lowerBound).update(from: src + r.lowerBound, count: r.count) }
            }
        }
        if d > 0 {
            syncBank()
            // Invariant: with d > 0 dendrite sets, syncBank() has built the bank.
            let z = bank!.forward(x, training: training)
            // PB never backpropagates through the bank (dendrites are frozen there).
            if !trainability.throughDendrites { bank!.releaseInput() }
            bankShape = z.shape
            dendriteOutput.resize(to: [batch, d, c, s])
            let act = activation
            if act.needsInput { dendritePreActivation.reserve(batch * d * c * s) }
            let keep = act.needsInput ? dendritePreActivation.pointer : nil
            z.withUnsafeBufferPointer { z in
                dendriteOutput.withUnsafeMutableBufferPointer { v in
                    output.withUnsafeMutableBufferPointer { y in
                        DendriteKernels.cascadeForward(
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            z: z.baseAddress!, v: v.baseAddress!, y: y.baseAddress!, keep: keep,
                            k: kFlat.pointer, a: aFlat.pointer,
                            batch: batch, sets: d, neurons: c, spatial: s, activation: act)
                    }
                }
            }
        }
        if let cand = candidate, let layer = candidateLayer {
            forwardCandidate(cand, layer, x, training: training, batch: batch, spatial: s)
        }
        return output
    }

    // MARK: - Backward

    // dy: [B, C, S]  ->  dx: [B, inputShape...]
    public func backward(_ dy: Tensor) -> Tensor {
        let c = neuronCount, batch = dy.rows, s = dy.columns / c
        let signal = errorSource(dy)
        if tracksErrors {
            signal.withUnsafeBufferPointer {
                errorStatistics.update($0, batch: batch, channels: c, spatial: s, scale: Float(batch))
            }
        }
        if candidate != nil {
            errors.resize(to: [batch, c, s])
            signal.withUnsafeBufferPointer { g in
                errors.withUnsafeMutableBufferPointer { e in
                    guard let g = g.baseAddress, let e = e.baseAddress else { return }
                    let scale = Float(batch)
                    Parallel.forRanges(signal.count) { r in for i in r { e[i] = g[i] * scale } }
                }
            }
        }
        let d = dendrites.count
        // Dendrite phase in the first layer: nothing here learns and nothing lies below.
        let rule = trainability
        if !rule.neurons && !propagatesGradient {
            neuron.releaseInput()
            return .empty
        }
        let dxNeuron = neuron.backward(dy)
        // A held W has no gradient (the wrapped layer computed one it will never use).
        if !somaInputs { neuron.weight.grad.fill(0) }
        if d == 0 { return dxNeuron }
        let throughDendrites = rule.throughDendrites
        if !rule.neurons { return dxNeuron }

        // dA[j,c] = sum_{b,s} dy * v_j ; for gd also dz_j and dK_j.
        aGrad.reserve(d * c)
        kGrad.reserve(d * d * c)
        aGrad.pointer.update(repeating: 0, count: d * c)
        kGrad.pointer.update(repeating: 0, count: d * d * c)
        if throughDendrites { dendriteGrad.resize(to: [batch, d, c, s]) }
        let act = activation
        let keptZ = act.needsInput ? UnsafePointer(dendritePreActivation.pointer) : nil
        dy.withUnsafeBufferPointer { g in
            dendriteOutput.withUnsafeBufferPointer { v in
                dendriteGrad.withUnsafeMutableBufferPointer { dz in
                    DendriteKernels.cascadeBackward(
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        dy: g.baseAddress!, v: v.baseAddress!, z: keptZ, dz: throughDendrites ? dz.baseAddress : nil,
                        k: kFlat.pointer, a: aFlat.pointer, aGrad: aGrad.pointer, kGrad: kGrad.pointer,
                        batch: batch, sets: d, neurons: c, spatial: s, activation: act)
                }
            }
        }
        for (j, set) in dendrites.enumerated() {
            for i in 0..<c { set.output.grad[i] = aGrad.pointer[j * c + i] }
        }
        guard throughDendrites, let bank else { return dxNeuron }

        for (j, set) in dendrites.enumerated() {
            if let kp = set.cascade {
                for i in 0..<j { for n in 0..<c { kp.grad[i * c + n] = kGrad.pointer[(j * d + i) * c + n] } }
            }
        }
        let dxBank = bank.backward(dendriteGrad.reshaped(bankShape))
        copyBankGradients(bank)
        guard propagatesGradient else { return .empty }
        gradInput.resize(to: dxNeuron.shape)
        dxNeuron.withUnsafeBufferPointer { a in
            dxBank.withUnsafeBufferPointer { b in
                gradInput.withUnsafeMutableBufferPointer { o in
                    guard let a = a.baseAddress, let b = b.baseAddress, let o = o.baseAddress else { return }
                    let count = dxNeuron.count
                    Parallel.forRanges(count) { r in for i in r { o[i] = a[i] + b[i] } }
                }
            }
        }
        return gradInput
    }

    /// The bank's dW, db ([D*C, ...], [D*C]) back into each set's own parameters.
    private func copyBankGradients(_ bank: DendriteBankLayer) {
        let c = neuronCount, fan = bank.weight.count / (dendrites.count * c)
        bank.weight.grad.withUnsafeBufferPointer { w in
            bank.bias.grad.withUnsafeBufferPointer { bb in
                for (j, set) in dendrites.enumerated() {
                    set.weight.grad.withUnsafeMutableBufferPointer {
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        $0.baseAddress!.update(from: w.baseAddress! + j * c * fan, count: c * fan)
                    }
                    set.bias.grad.withUnsafeMutableBufferPointer {
                        $0.baseAddress!.update(from: bb.baseAddress! + j * c, count: c)
                    }
                }
            }
        }
    }
}
