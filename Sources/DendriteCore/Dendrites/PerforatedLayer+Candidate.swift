/// The candidate side of a perforated layer (PB's dendrite phase): one new dendrite per
/// neuron that runs beside the layer without touching its output, sees the same input
/// (detached) and every existing dendrite of its neuron (cascade), and is trained by
/// `CandidateTrainer` through `candidateOutput`, `errors` and `backwardCandidate`.
extension PerforatedLayer {
    /// Starts a PB dendrite phase for this layer: one candidate per neuron, seeing the
    /// same input and every existing dendrite (cascade).
    public func beginCandidate(rng: inout RNG, scale: Float = 0.01) {
        let fresh = makeSet(index: dendrites.count, scale: scale, rng: &rng)
        // The candidate's W and b *are* the sibling layer's parameters (no copies per step).
        let layer = neuron.sibling(outputs: neuronCount, name: "\(name).dendrites.\(dendrites.count)")
        layer.propagatesGradient = false   // detached input: the perforation
        layer.weight.value = fresh.weight.value
        layer.bias.value = fresh.bias.value
        layer.weight.name = fresh.weight.name
        layer.bias.name = fresh.bias.name
        candidate = DendriteSet(weight: layer.weight, bias: layer.bias, cascade: fresh.cascade, output: fresh.output)
        candidateLayer = layer
        configure(mode: mode, phase: .dendrite)
    }

    /// The candidate becomes a frozen dendrite set with A = 0; the neuron phase resumes.
    public func acceptCandidate() {
        guard let c = candidate else { return }
        dendrites.append(c)
        candidate = nil
        candidateLayer = nil
        rebuildBank()
        configure(mode: mode, phase: .neuron)
    }

    /// Drops the candidate without keeping it.
    public func discardCandidate() {
        candidate = nil
        candidateLayer = nil
        configure(mode: mode, phase: .neuron)
    }

    // V = f(W_c x + b_c + sum_i Kc[i,c] v_i): [B, C, S]. Does not touch y.
    func forwardCandidate(_ cand: DendriteSet, _ layer: NeuronLayer, _ x: Tensor,
                                  training: Bool, batch: Int, spatial s: Int) {
        let c = neuronCount, d = dendrites.count
        let z = layer.forward(x, training: training)
        candidateOutput.resize(to: z.shape)
        let act = activation
        candidateInput.resize(to: act.needsInput ? z.shape : [0])
        let k = cand.cascade?.value ?? .empty
        z.withUnsafeBufferPointer { z in
            candidateOutput.withUnsafeMutableBufferPointer { vc in
                dendriteOutput.withUnsafeBufferPointer { v in
                    k.withUnsafeBufferPointer { k in
                        for b in 0..<batch {
                            for ci in 0..<c {
                                let row = (b * c + ci) * s
                                let out = vc.baseAddress! + row, zr = z.baseAddress! + row
                                for p in 0..<s { out[p] = zr[p] }
                                for i in 0..<d {
                                    let kk = k[i * c + ci]
                                    let vi = v.baseAddress! + ((b * d + i) * c + ci) * s
                                    for p in 0..<s { out[p] += kk * vi[p] }
                                }
                                if act.needsInput {
                                    candidateInput.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: row).update(from: out, count: s) }
                                }
                                act.apply(out, count: s)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Backpropagates dObjective/dV ([B, C, S], for the last forward) into the
    /// candidate's parameters: its W, b through the detached sibling layer, and its K.
    /// Overwrites the candidate's grads.
    public func backwardCandidate(_ dV: Tensor) {
        guard let cand = candidate, let layer = candidateLayer else { return }
        let c = neuronCount, batch = lastBatch, s = spatial, d = dendrites.count
        candidateGrad.resize(to: dV.shape)
        dV.withUnsafeBufferPointer { src in
            candidateGrad.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: src.baseAddress!, count: src.count) }
        }
        let act = activation
        if let k = cand.cascade { k.grad.fill(0) }
        candidateGrad.withUnsafeMutableBufferPointer { dz in
            candidateOutput.withUnsafeBufferPointer { vc in
                candidateInput.withUnsafeBufferPointer { zc in
                    act.multiplyByDerivative(dz.baseAddress!, output: vc.baseAddress!,
                                             input: act.needsInput ? zc.baseAddress! : nil, count: dz.count)
                }
            }
        }
        if let k = cand.cascade {
            candidateGrad.withUnsafeBufferPointer { dz in
                dendriteOutput.withUnsafeBufferPointer { v in
                    k.grad.withUnsafeMutableBufferPointer { gk in
                        for b in 0..<batch {
                            for i in 0..<d {
                                for ci in 0..<c {
                                    let g = dz.baseAddress! + (b * c + ci) * s
                                    let vi = v.baseAddress! + ((b * d + i) * c + ci) * s
                                    var acc: Float = 0
                                    for p in 0..<s { acc += g[p] * vi[p] }
                                    gk[i * c + ci] += acc
                                }
                            }
                        }
                    }
                }
            }
        }
        // The candidate's W and b are the sibling layer's own parameters, so this fills them.
        candidateGrad.reshape(candidateOutput.shape)
        _ = layer.backward(candidateGrad)
    }
}
