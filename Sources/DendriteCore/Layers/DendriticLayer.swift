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

    // Batch-as-lanes buffers (SparseDot): activations and their gradients transposed.
    private var inputT = Tensor.empty          // x^T  [in, B]
    private var dendriteT = Tensor.empty       // a^T  [S*D, B]
    private var somaT = Tensor.empty           // y^T  [S, B]
    private var output = Tensor.empty          // y    [B, S]
    private var somaGradT = Tensor.empty       // du^T [S, B]
    private var dendriteGradT = Tensor.empty   // dz^T [S*D, B]
    private var inputGradT = Tensor.empty      // dx^T [in, B]
    private var gradInput = Tensor.empty       // dx   [B, in...]
    private var inputShape: [Int] = []

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
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(inputShape.reduce(1, *) == inputSize,
                     "dendritic layer expects \(inputSize) inputs, got shape \(inputShape)")
        return [somas]
    }

    // x: [B, in] -> x^T [in, B] -> a^T = leaky(gather-dot + bd) [S*D, B]
    //   -> y^T = leaky(own-dendrites dot + bs) [S, B] -> y [B, S]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let batch = x.rows, nIn = inputSize, k = inputsPerDendrite, nd = dendriteCount, d = dendritesPerSoma
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(x.columns == nIn, "dendritic layer expects \(nIn) inputs, got \(x.shape)")
        inputShape = Array(x.shape.dropFirst())
        SparseDot.transpose(x, rows: batch, cols: nIn, into: &inputT)
        dendriteT.resize(to: [nd, batch])
        somaT.resize(to: [somas, batch])
        inputT.withUnsafeBufferPointer { xt in
            synapses.withUnsafeBufferPointer { idx in
                dendriteWeight.value.withUnsafeBufferPointer { wd in
                    dendriteBias.value.withUnsafeBufferPointer { bd in
                        somaWeight.value.withUnsafeBufferPointer { ws in
                            somaBias.value.withUnsafeBufferPointer { bs in
                                dendriteT.withUnsafeMutableBufferPointer { at in
                                    somaT.withUnsafeMutableBufferPointer { yt in
                                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                        let (xt, idx, at, yt) = (xt.baseAddress!, idx.baseAddress!, at.baseAddress!, yt.baseAddress!)
                                        SparseDot.gatherForward(xt, idx, wd.baseAddress!, bd.baseAddress!, at,
                                                                units: nd, width: k, batch: batch, leaky: true)
                                        Parallel.forRanges(somas, cost: d * batch) { groups in
                                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                            SparseDot.forward(at, nil, ws.baseAddress!, bs.baseAddress!, yt,
                                                              groups: groups, width: d, batch: batch)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        SparseDot.transpose(somaT, rows: somas, cols: batch, into: &output)
        return output
    }

    // dy [B, S] -> du^T = dy^T leaky'(y^T) [S, B] -> dWs [S, D], dbs [S], da^T [S*D, B]
    //   -> dz^T = da^T leaky'(a^T) -> dWd [S*D, k], dbd [S*D], dx^T [in, B] -> dx [B, in...]
    public func backward(_ dy: Tensor) -> Tensor {
        let batch = dy.rows, nIn = inputSize, k = inputsPerDendrite, nd = dendriteCount, d = dendritesPerSoma
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(inputT.columns == batch && dy.columns == somas,
                     "dendritic backward expects dy [\(inputT.columns), \(somas)] after a forward, got \(dy.shape)")
        let propagate = propagatesGradient
        SparseDot.transpose(dy, rows: batch, cols: somas, into: &somaGradT)
        dendriteGradT.resize(to: [nd, batch])
        if propagate { inputGradT.resize(to: [nIn, batch]) }
        inputT.withUnsafeBufferPointer { xt in
          dendriteT.withUnsafeBufferPointer { at in
            somaT.withUnsafeBufferPointer { yt in
              synapses.withUnsafeBufferPointer { idx in
                somaGradT.withUnsafeMutableBufferPointer { dut in
                  dendriteGradT.withUnsafeMutableBufferPointer { dzt in
                    inputGradT.withUnsafeMutableBufferPointer { dxt in
                      // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                      let (xt, at, yt, idx) = (xt.baseAddress!, at.baseAddress!, yt.baseAddress!, idx.baseAddress!)
                      let (dut, dzt) = (dut.baseAddress!, dzt.baseAddress!)
                      SparseDot.leakyGrad(dut, output: yt, units: 0..<somas, batch: batch)
                      somaWeight.value.withUnsafeBufferPointer { ws in
                        somaWeight.grad.withUnsafeMutableBufferPointer { dws in
                          somaBias.grad.withUnsafeMutableBufferPointer { dbs in
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            SparseDot.weightGrad(dut, at, nil, dws.baseAddress!, dbs.baseAddress!,
                                                 groups: 0..<somas, width: d, batch: batch)
                            SparseDot.inputGrad(dut, nil, ws.baseAddress!, dzt, rows: nd, groups: somas, width: d,
                                                batch: batch, columns: 0..<batch)
                          }
                        }
                      }
                      SparseDot.leakyGrad(dzt, output: at, units: 0..<nd, batch: batch)
                      dendriteWeight.value.withUnsafeBufferPointer { wd in
                        dendriteWeight.grad.withUnsafeMutableBufferPointer { dwd in
                          dendriteBias.grad.withUnsafeMutableBufferPointer { dbd in
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            SparseDot.gatherBackward(dzt, xt, idx, wd.baseAddress!, dw: dwd.baseAddress!, db: dbd.baseAddress!,
                                                     din: propagate ? dxt.baseAddress : nil, rows: nIn, units: nd, width: k, batch: batch)
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
        guard propagate else { return .empty }
        SparseDot.transpose(inputGradT, rows: nIn, cols: batch, into: &gradInput, shape: [batch] + inputShape)
        return gradInput
    }
}
