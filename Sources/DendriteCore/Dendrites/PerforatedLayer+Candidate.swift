/// The candidate side of a perforated layer (PB's dendrite phase): a pool of P new
/// dendrites per neuron (as Cascade-Correlation trains a pool of candidate units) that
/// run beside the layer without touching its output, see the same input (detached) and
/// every existing dendrite of their neuron (cascade), and are trained by
/// `CandidateTrainer` through `poolOutput`, `errors` and `backwardCandidate`.
/// When the phase ends, each neuron keeps the one pool member chosen for it.
///
/// The pool is one sibling layer with P*C outputs, pool-major (`DendriteKernels`):
/// one wider sgemm for all candidates rather than P narrow ones.
extension PerforatedLayer {
    /// Candidates per neuron in the running dendrite phase (0 outside one).
    public var poolSize: Int { candidateLayer.map { $0.neuronCount / neuronCount } ?? 0 }

    /// The leading candidate's output V per neuron: [B, C, S] (what the Lab draws).
    public var candidateOutput: Tensor {
        let p = poolSize
        guard p > 1, poolOutput.count > 0 else { return poolOutput }
        let c = neuronCount, s = spatial, b = poolOutput.count / (p * c * s)
        var shape = poolOutput.shape
        shape[1] = c
        var out = Tensor(shape: shape)
        for i in 0..<b {
            for n in 0..<c {
                let m = n < leadingCandidates.count ? leadingCandidates[n] : 0
                for q in 0..<s { out[(i * c + n) * s + q] = poolOutput[((i * p + m) * c + n) * s + q] }
            }
        }
        return out
    }

    /// Starts a PB dendrite phase for this layer: `pool` candidates per neuron, seeing the
    /// same input and every existing dendrite (cascade). Weights are drawn as
    /// scale * N(0, 1) in the order W, b, K of a set of P*C neurons, so a pool of one
    /// draws exactly what a single candidate did. Sampled candidates (`inputs`) draw
    /// their k inputs each first, and their W is [P*C, k].
    public func beginCandidate(rng: inout RNG, scale: Float = 0.01, pool: Int = 1) {
        // Invariant: the pool size comes from DendriteConfig.candidatePool, which the loader holds to 1...64.
        precondition(pool >= 1, "candidate pool of \(pool)")
        let d = dendrites.count, c = neuronCount * pool
        let prefix = "\(name).dendrites.\(d)"
        // The candidates' W and b *are* the sibling layer's parameters (no copies per step).
        let synapses = drawSynapses(units: c, rng: &rng)
        let layer = dendriteLayer(units: c, name: prefix, synapses: synapses)
        layer.propagatesGradient = false   // detached input: the perforation
        func draw(_ t: inout Tensor) { for i in 0..<t.count { t[i] = scale * rng.normal() } }
        draw(&layer.weight.value)
        draw(&layer.bias.value)
        layer.weight.name = "\(prefix).weight"
        layer.bias.name = "\(prefix).bias"
        var cascade: Parameter?
        if d > 0 {
            var k = Tensor(shape: [d, c])
            draw(&k)
            cascade = Parameter(name: "\(prefix).K", value: k)
        }
        candidate = DendriteSet(weight: layer.weight, bias: layer.bias, cascade: cascade,
                                output: Parameter(name: "\(prefix).A", value: Tensor(shape: [c])), synapses: synapses)
        candidateLayer = layer
        leadingCandidates = [Int](repeating: 0, count: neuronCount)
        configure(mode: mode, phase: .dendrite)
    }

    /// The chosen candidates become a frozen dendrite set with A = 0; the neuron phase
    /// resumes. `chosen[c]` is the pool member kept for neuron c (all 0 by default).
    public func acceptCandidate(chosen: [Int]? = nil) {
        guard let pool = candidate else { return }
        let c = neuronCount, p = poolSize
        let pick = chosen ?? [Int](repeating: 0, count: c)
        // Invariant: CandidateTrainer picks one pool member in range for every neuron.
        precondition(pick.count == c && pick.allSatisfy { (0..<p).contains($0) }, "pool choice \(pick) for \(c) neurons")
        func rows(_ src: Parameter, shape: [Int], cascade: Bool) -> Parameter {
            var t = Tensor(shape: shape)
            let per = cascade ? 1 : src.value.count / (p * c)
            let lines = cascade ? src.value.count / (p * c) : 1
            for line in 0..<lines {
                for n in 0..<c {
                    let from = cascade ? line * p * c + pick[n] * c + n : (pick[n] * c + n) * per
                    let to = cascade ? line * c + n : n * per
                    for j in 0..<per { t[to + j] = src.value[from + j] }
                }
            }
            return Parameter(name: src.name, value: t)
        }
        var weightShape = pool.weight.value.shape
        weightShape[0] = c
        // Each kept candidate keeps its own inputs: row pick[n]*C + n of the pool's table.
        let synapses = pool.synapses.map { (table: [Int32]) -> [Int32] in
            let k = table.count / (p * c)
            var kept: [Int32] = []
            for n in 0..<c {
                let row = pick[n] * c + n
                kept += table[(row * k)..<((row + 1) * k)]
            }
            return kept
        }
        let set = DendriteSet(weight: rows(pool.weight, shape: weightShape, cascade: false),
                              bias: rows(pool.bias, shape: [c], cascade: false),
                              cascade: pool.cascade.map { rows($0, shape: [dendrites.count, c], cascade: true) },
                              output: Parameter(name: pool.output.name, value: Tensor(shape: [c])), synapses: synapses)
        dendrites.append(set)
        candidate = nil
        candidateLayer = nil
        rebuildBank()
        configure(mode: mode, phase: .neuron)
    }

    /// Drops the candidates without keeping any.
    public func discardCandidate() {
        candidate = nil
        candidateLayer = nil
        configure(mode: mode, phase: .neuron)
    }

    // V = f(W_c x + b_c + sum_i Kc[i, pc] v_i): [B, P*C, S]. Does not touch y.
    func forwardCandidate(_ cand: DendriteSet, _ layer: DendriteBankLayer, _ x: Tensor,
                          training: Bool, batch: Int, spatial s: Int) {
        let z = layer.forward(x, training: training)
        poolOutput.resize(to: z.shape)
        let d = dendrites.count, c = neuronCount, p = poolSize, act = activation
        let k = cand.cascade?.value ?? .empty
        if act.needsInput { candidatePreActivation.reserve(z.count) }
        let keep = act.needsInput ? candidatePreActivation.pointer : nil
        z.withUnsafeBufferPointer { z in
            poolOutput.withUnsafeMutableBufferPointer { out in
                dendriteOutput.withUnsafeBufferPointer { v in
                    k.withUnsafeBufferPointer { k in
                        DendriteKernels.candidateForward(
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            z: z.baseAddress!, v: d > 0 ? v.baseAddress : nil, k: d > 0 ? k.baseAddress : nil,
                            out: out.baseAddress!, keep: keep, batch: batch, sets: d, neurons: c, pool: p, spatial: s,
                            activation: act)
                    }
                }
            }
        }
    }

    /// Backpropagates dObjective/dV ([B, P*C, S], for the last forward) into the
    /// candidates' parameters: their W, b through the detached sibling layer, and their
    /// K. Overwrites the candidates' grads.
    public func backwardCandidate(_ dV: Tensor) {
        let act = activation
        backwardCandidate(shape: dV.shape) { grad, out, keptZ in
            dV.withUnsafeBufferPointer { source in
                // Invariant: dV is a non-empty [B, P*C, S] tensor for the last forward.
                DendriteKernels.candidateBackward(grad: grad, source: source.baseAddress!, out: out, z: keptZ,
                                                  batch: lastBatch, neurons: neuronCount, pool: poolSize,
                                                  spatial: spatial, activation: act)
            }
        }
    }

    /// The same for the correlation objective's gradient given as coefficients
    /// ([3, P*C], `CorrelationObjective.update`'s `coefficients`) against this layer's
    /// `errors`, without ever storing dObjective/dV (`DendriteKernels.candidateObjectiveBackward`).
    func backwardCandidate(objective coefficients: UnsafePointer<Float>) {
        let act = activation
        backwardCandidate(shape: poolOutput.shape) { grad, out, keptZ in
            errors.withUnsafeBufferPointer { e in
                // Invariant: errors is the non-empty [B, C, S] error of the last backward.
                DendriteKernels.candidateObjectiveBackward(grad: grad, coef: coefficients, e: e.baseAddress!, out: out,
                                                           z: keptZ, batch: lastBatch, neurons: neuronCount,
                                                           pool: poolSize, spatial: spatial, activation: act)
            }
        }
    }

    /// Fills dObjective/dZ with `fill(grad, V, kept z)`, then the cascade gradient of K and
    /// the sibling layer's backward (which writes the candidates' dW, db).
    private func backwardCandidate(shape: [Int], fill: (UnsafeMutablePointer<Float>, UnsafePointer<Float>,
                                                         UnsafePointer<Float>?) -> Void) {
        guard let cand = candidate, let layer = candidateLayer else { return }
        let d = dendrites.count
        candidateGrad.resize(to: shape)
        let keptZ = activation.needsInput ? UnsafePointer(candidatePreActivation.pointer) : nil
        candidateGrad.withUnsafeMutableBufferPointer { g in
            poolOutput.withUnsafeBufferPointer { out in
                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                fill(g.baseAddress!, out.baseAddress!, keptZ)
            }
        }
        if let k = cand.cascade, d > 0 {
            k.grad.withUnsafeMutableBufferPointer { gk in
                candidateGrad.withUnsafeBufferPointer { g in
                    dendriteOutput.withUnsafeBufferPointer { v in
                        // Invariant: with d > 0 sets the forward filled v, and K has d * P*C entries.
                        DendriteKernels.candidateCascadeGradient(grad: g.baseAddress!, v: v.baseAddress!,
                                                                 kGrad: gk.baseAddress!, batch: lastBatch, sets: d,
                                                                 neurons: neuronCount, pool: poolSize, spatial: spatial)
                    }
                }
            }
        }
        // The candidates' W and b are the sibling layer's own parameters, so this fills them.
        candidateGrad.reshape(poolOutput.shape)
        _ = layer.backward(candidateGrad)
    }
}

extension PerforatedLayer {
    /// The per-sample gradient E is taken from (times B): `dy` = dL/dy, or for
    /// `ErrorSignal.output` the gradient the network handed over for this backward (dL/dh
    /// at the activation after this layer; `dy` when none follows). Leaves the handed
    /// gradient in place (what `NeuronProbe` reads; `errorSource` is the backward's).
    func errorGradient(for dy: Tensor) -> Tensor {
        guard errorSignal == .output, let g = activationGradient, g.count == dy.count else { return dy }
        return g
    }

    /// `errorGradient(for:)`, taking the handed gradient, so its buffer is free again
    /// before the next batch and no later backward sees it.
    func errorSource(_ dy: Tensor) -> Tensor {
        defer { activationGradient = nil }
        return errorGradient(for: dy)
    }
}
