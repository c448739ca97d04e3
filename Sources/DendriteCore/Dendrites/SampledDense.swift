/// What a `PerforatedLayer` needs of the layer that computes its dendrites' (or its
/// candidates') affine part z = W x + b: a Dense or Conv2D sibling of the neuron layer
/// (dendrites that see every input), or a `SampledDense` (dendrites that see k inputs).
public protocol DendriteBankLayer: Layer {
    /// Output units: dendrites (D*C in a bank, P*C in a candidate pool).
    var neuronCount: Int { get }
    /// [units, fanIn...] for dense dendrites, [units, k] for sampled ones.
    var weight: Parameter { get }
    /// [units]
    var bias: Parameter { get }
    /// Drops what the layer keeps of its last input for backward (see `NeuronLayer`).
    func releaseInput()
}

/// z = W x + b where unit u reads only the k inputs `synapses[u*k ..< (u+1)*k]`: the
/// affine part of dendrites with sampled inputs (`DendriteInputs.sampled`). Only the
/// connections that exist are stored and computed, through `SparseDot`'s batch-as-lanes
/// gather kernels (shared with `DendriticLayer`), so a step costs O(B * units * k) plus
/// transposing the inputs some synapse reads (m of them, at most units * k), not
/// O(B * units * inputs) as masked dense weights would.
///
///     x: [B, in]  ->  x_used^T [m, B]  ->  z^T [n, B] (gather-dot + b)  ->  z: [B, n]
final class SampledDense: DendriteBankLayer {
    let kind = "sampled-dense"
    let inputSize: Int
    let neuronCount: Int
    /// Inputs per unit.
    let k: Int
    /// [n * k], unit-major, each unit's indices ascending.
    let synapses: [Int32]
    /// The inputs some synapse reads, ascending (m of them), and `synapses` as rows of
    /// that list: the kernels read x_used^T, never the unread inputs.
    private let used: [Int32]
    private let compact: [Int32]
    let weight: Parameter   // [n, k]
    let bias: Parameter     // [n]
    var propagatesGradient = true
    /// False when nothing trains this layer's W and b (a frozen bank): backward skips dW, db.
    var computesParameterGradients = true

    private var inputT = Tensor.empty       // x_used^T  [m, B]
    private var outputT = Tensor.empty      // z^T  [n, B]
    private var output = Tensor.empty       // z    [B, n]
    private var gradT = Tensor.empty        // dz^T [n, B]
    private var inputGradT = Tensor.empty   // dx_used^T [m, B]
    private var gradInput = Tensor.empty    // dx   [B, in...]
    private var inputShape: [Int] = []

    /// Uses `weight` and `bias` themselves (not copies): a candidate pool's parameters
    /// are this layer's.
    init(inputSize: Int, synapses: [Int32], k: Int, weight: Parameter, bias: Parameter) {
        // Invariant: PerforatedLayer builds the table with k per unit from InputSampling, which keeps indices below inputSize.
        precondition(k >= 1 && synapses.count == weight.count && weight.count == bias.count * k,
                     "sampled layer: \(synapses.count) synapses, weight \(weight.value.shape), bias \(bias.value.shape), k \(k)")
        self.inputSize = inputSize
        self.neuronCount = bias.count
        self.k = k
        self.synapses = synapses
        used = Array(Set(synapses)).sorted()
        var row: [Int32: Int32] = [:]
        for (r, i) in used.enumerated() { row[i] = Int32(r) }
        // Invariant: every synapse is in `used`, built from them just above.
        compact = synapses.map { row[$0]! }
        self.weight = weight
        self.bias = bias
    }

    var parameters: [Parameter] { [weight, bias] }

    func outputShape(for inputShape: [Int]) -> [Int] { [neuronCount] }

    /// Keeps its own transposed copy of x, not a reference to it: nothing to drop.
    func releaseInput() {}

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let batch = x.rows, nIn = inputSize, n = neuronCount, k = k
        // Invariant: PerforatedLayer wraps a Dense layer of inputSize inputs, whose forward has checked x.
        precondition(x.columns == nIn, "sampled layer expects \(nIn) inputs, got \(x.shape)")
        inputShape = Array(x.shape.dropFirst())
        let m = used.count
        inputT.resize(to: [m, batch])
        x.withUnsafeBufferPointer { x in
            used.withUnsafeBufferPointer { used in
                inputT.withUnsafeMutableBufferPointer { xt in
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    SparseDot.transposeColumns(x.baseAddress!, batch: batch, cols: nIn, used: used.baseAddress!, count: m, into: xt.baseAddress!)
                }
            }
        }
        outputT.resize(to: [n, batch])
        inputT.withUnsafeBufferPointer { xt in
            compact.withUnsafeBufferPointer { idx in
                weight.value.withUnsafeBufferPointer { w in
                    bias.value.withUnsafeBufferPointer { b in
                        outputT.withUnsafeMutableBufferPointer { zt in
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            SparseDot.gatherForward(xt.baseAddress!, idx.baseAddress!, w.baseAddress!, b.baseAddress!, zt.baseAddress!,
                                                    units: n, width: k, batch: batch, leaky: false)
                        }
                    }
                }
            }
        }
        SparseDot.transpose(outputT, rows: n, cols: batch, into: &output)
        return output
    }

    // dz [B, n] -> dz^T [n, B] -> dW [n, k], db [n] (unless frozen), dx^T [in, B] -> dx [B, in...]
    func backward(_ dy: Tensor) -> Tensor {
        let batch = dy.rows, nIn = inputSize, n = neuronCount, k = k
        // Invariant: PerforatedLayer calls backward after the forward of the same batch, with dz of the forward's shape.
        precondition(inputT.columns == batch && dy.columns == n, "sampled backward expects dz [\(inputT.columns), \(n)], got \(dy.shape)")
        let propagate = propagatesGradient, learns = computesParameterGradients, m = used.count
        SparseDot.transpose(dy, rows: batch, cols: n, into: &gradT)
        if propagate { inputGradT.resize(to: [m, batch]) }
        inputT.withUnsafeBufferPointer { xt in
            compact.withUnsafeBufferPointer { idx in
                gradT.withUnsafeBufferPointer { dzt in
                    weight.value.withUnsafeBufferPointer { w in
                        weight.grad.withUnsafeMutableBufferPointer { dw in
                            bias.grad.withUnsafeMutableBufferPointer { db in
                                inputGradT.withUnsafeMutableBufferPointer { dxt in
                                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                    SparseDot.gatherBackward(dzt.baseAddress!, xt.baseAddress!, idx.baseAddress!, w.baseAddress!,
                                                             dw: learns ? dw.baseAddress : nil, db: learns ? db.baseAddress : nil,
                                                             din: propagate ? dxt.baseAddress : nil, rows: m, units: n,
                                                             width: k, batch: batch)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard propagate else { return .empty }
        gradInput.resize(to: [batch] + inputShape)
        inputGradT.withUnsafeBufferPointer { dxt in
            used.withUnsafeBufferPointer { used in
                gradInput.withUnsafeMutableBufferPointer { dx in
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    SparseDot.scatterColumns(dxt.baseAddress!, batch: batch, cols: nIn, used: used.baseAddress!, count: m, into: dx.baseAddress!)
                }
            }
        }
        return gradInput
    }
}
