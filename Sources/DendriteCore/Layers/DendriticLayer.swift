/// The hidden layer of a dendritic ANN (Chavlis & Poirazi, Nat Commun 16:943, 2025):
/// S somas, each with D dendrites, each dendrite reading only k of the inputs, chosen
/// once by an `InputSampling` rule; each soma sums only its own D dendrites.
///
///     z[b, d] = sum_j Wd[d, j] x[b, idx[d, j]] + bd[d]     d < S*D, j < k   (dendrites)
///     a = leaky(z)
///     u[b, s] = sum_j Ws[s, j] a[b, s*D + j] + bs[s]        j < D            (somas)
///     y = leaky(u),   leaky(t) = t for t > 0, 0.1 t otherwise
///
/// The LeakyReLU (slope 0.1) after dendrites and after somas is part of the layer, as in
/// the paper's networks, so an experiment writes `dendritic 32x8x16 local, dense 10`.
/// Only connections that exist are stored and computed: S*D*(k+1) + S*(D+1) parameters,
/// and a step costs O(B * S * D * k), not O(B * inputs * S * D) as a masked dense layer.
/// The index table is drawn from the network's seed when the layer is built, so a
/// checkpoint (which stores the seed in its experiment) rebuilds the same synapses.
///
/// Initialisation: `torch.nn.Linear`'s default for the connections that exist,
/// U(-1/sqrt(k), 1/sqrt(k)) for dendrites and U(-1/sqrt(D), 1/sqrt(D)) for somas.
public final class DendriticLayer: Layer {
    public let kind = "dendritic"
    public let somas: Int
    public let dendritesPerSoma: Int
    public let inputsPerDendrite: Int
    public let sampling: InputSampling
    public let inputSize: Int
    /// The input each synapse reads: [S*D, k], dendrite-major (dendrite s*D + j is soma s's j-th).
    public let synapses: [Int32]
    public let dendriteWeight: Parameter   // [S*D, k]
    public let dendriteBias: Parameter     // [S*D]
    public let somaWeight: Parameter       // [S, D]
    public let somaBias: Parameter         // [S]
    public var propagatesGradient = true
    /// Slope of the LeakyReLU below zero (PyTorch's `LeakyReLU(0.1)` in the paper's setup).
    public static let slope: Float = 0.1

    private var input = Tensor.empty          // x [B, in], cached for backward
    private var dendriteOutput = Tensor.empty // a [B, S*D]
    private var output = Tensor.empty         // y [B, S]
    private var somaGrad = Tensor.empty       // du [B, S]
    private var dendriteGrad = Tensor.empty   // dz [B, S*D]
    private var gradInput = Tensor.empty      // dx [B, in]

    public var dendriteCount: Int { somas * dendritesPerSoma }

    public init(inputShape: [Int], somas: Int, dendrites: Int, inputs k: Int,
                sampling: InputSampling, rng: inout RNG, name: String = "dendritic") {
        self.somas = somas
        self.dendritesPerSoma = dendrites
        self.inputsPerDendrite = k
        self.sampling = sampling
        self.inputSize = inputShape.reduce(1, *)
        // A generator of its own for the synapses: the weights below draw the same
        // numbers whatever the sampling rule consumed.
        var sampler = rng.split()
        synapses = sampling.indices(inputShape: inputShape, dendrites: somas * dendrites, k: k, rng: &sampler)
        (dendriteWeight, dendriteBias) = Parameter.torchDefault(
            name: "\(name).dendrites", weightShape: [somas * dendrites, k], fanIn: k, rng: &rng)
        (somaWeight, somaBias) = Parameter.torchDefault(
            name: "\(name).somas", weightShape: [somas, dendrites], fanIn: dendrites, rng: &rng)
    }

    public var parameters: [Parameter] { [dendriteWeight, dendriteBias, somaWeight, somaBias] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.reduce(1, *) == inputSize,
                     "dendritic layer expects \(inputSize) inputs, got shape \(inputShape)")
        return [somas]
    }

    // x: [B, in] -> a: [B, S*D] -> y: [B, S]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let batch = x.rows, nIn = inputSize, k = inputsPerDendrite, nd = dendriteCount
        precondition(x.columns == nIn, "dendritic layer expects \(nIn) inputs, got \(x.shape)")
        input = x
        dendriteOutput.resize(to: [batch, nd])
        output.resize(to: [batch, somas])
        x.withUnsafeBufferPointer { xs in
            synapses.withUnsafeBufferPointer { idx in
                dendriteWeight.value.withUnsafeBufferPointer { wd in
                    dendriteBias.value.withUnsafeBufferPointer { bd in
                        dendriteOutput.withUnsafeMutableBufferPointer { a in
                            let (x, idx, wd, bd, a) = (xs.baseAddress!, idx.baseAddress!, wd.baseAddress!,
                                                       bd.baseAddress!, a.baseAddress!)
                            Parallel.forRanges(batch, cost: nd * k) { rows in
                                for b in rows {
                                    SparseDot.gatherForward(x + b * nIn, idx, wd, bd, a + b * nd,
                                                            groups: nd, width: k)
                                }
                            }
                        }
                    }
                }
            }
        }
        SparseDot.forward(dendriteOutput, somaWeight.value, somaBias.value, into: &output, width: dendritesPerSoma)
        return output
    }

    // dy: [B, S] -> du = dy leaky'(y) -> dWs, dbs, da [B, S*D] -> dz = da leaky'(a)
    //   -> dWd [S*D, k], dbd [S*D], dx [B, in] (scattered through the index table)
    public func backward(_ dy: Tensor) -> Tensor {
        let batch = dy.rows, nIn = inputSize, k = inputsPerDendrite, nd = dendriteCount
        precondition(input.rows == batch && dy.columns == somas,
                     "dendritic backward expects dy [\(input.rows), \(somas)] after a forward, got \(dy.shape)")
        SparseDot.leakyGrad(dy, output: output, into: &somaGrad)
        SparseDot.backward(somaGrad, input: dendriteOutput, somaWeight, somaBias,
                           inputGrad: &dendriteGrad, width: dendritesPerSoma)
        SparseDot.leakyGrad(&dendriteGrad, output: dendriteOutput)
        let propagate = propagatesGradient
        if propagate { gradInput.resize(to: [batch] + Array(input.shape.dropFirst())) }
        input.withUnsafeBufferPointer { xs in
            synapses.withUnsafeBufferPointer { idx in
                dendriteGrad.withUnsafeBufferPointer { dz in
                    dendriteWeight.value.withUnsafeBufferPointer { wd in
                        dendriteWeight.grad.withUnsafeMutableBufferPointer { dwd in
                            dendriteBias.grad.withUnsafeMutableBufferPointer { dbd in
                                gradInput.withUnsafeMutableBufferPointer { dxs in
                                    let (x, idx, dz, wd) = (xs.baseAddress!, idx.baseAddress!, dz.baseAddress!, wd.baseAddress!)
                                    let (dwd, dbd) = (dwd.baseAddress!, dbd.baseAddress!)
                                    // dWd, dbd: split over dendrites (each sums over the whole batch).
                                    Parallel.forRanges(nd, cost: batch * k) { groups in
                                        SparseDot.gatherWeightGrad(x, idx, dz, dwd, dbd, batch: batch, inputs: nIn,
                                                                   groups: groups, count: nd, width: k)
                                    }
                                    guard propagate, let dx = dxs.baseAddress else { return }
                                    // dx: split over rows of the batch.
                                    Parallel.forRanges(batch, cost: nd * k) { rows in
                                        for b in rows {
                                            SparseDot.scatterInputGrad(dz + b * nd, idx, wd, dx + b * nIn,
                                                                       inputs: nIn, groups: nd, width: k)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        input = .empty   // as Dense: do not hold the previous layer's buffer into the next step
        return propagate ? gradInput : .empty
    }
}
