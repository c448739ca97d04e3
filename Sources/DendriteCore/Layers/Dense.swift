/// Fully connected layer: y = x W^T + b.
///
/// Weight is stored [out, in] (PyTorch's layout) so checkpoints read naturally and
/// the default initialisation matches `torch.nn.Linear`: U(-1/sqrt(in), 1/sqrt(in)).
public final class Dense: Layer {
    public let kind = "dense"
    public let inputSize: Int
    public let outputSize: Int
    public let weight: Parameter   // [out, in]
    public let bias: Parameter     // [out]
    public var propagatesGradient = true
    /// When false, backward leaves dW and db alone and only computes dx (frozen neurons
    /// in a PB dendrite phase: their gradient would never be used).
    public var computesParameterGradients = true

    private var input = Tensor.empty       // cached x for backward
    private var output = Tensor.empty
    private var gradInput = Tensor.empty

    public init(inputSize: Int, outputSize: Int, rng: inout RNG, name: String = "dense") {
        self.inputSize = inputSize
        self.outputSize = outputSize
        (weight, bias) = Parameter.torchDefault(name: name, weightShape: [outputSize, inputSize],
                                                fanIn: inputSize, rng: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(inputShape.reduce(1, *) == inputSize,
                     "dense expects \(inputSize) inputs, got shape \(inputShape)")
        return [outputSize]
    }

    /// Products of at least this many multiply-adds are split into independent blocks
    /// (rows of W, or columns of W for dx) when `BLAS.threads` > 1; smaller ones are not
    /// worth a thread hop. Batch-128 MNIST layers are above it, toy networks below.
    static let splitThreshold = 1 << 20

    /// Fixes the number of workers for split products (tests); nil = as many as `BLAS.threads`.
    var workerOverride: Int?

    func workers(batch: Int) -> Int {
        guard batch * inputSize * outputSize >= Self.splitThreshold else { return 1 }
        return workerOverride ?? Parallel.workers(for: min(batch, outputSize))
    }

    // x: [B, in]  ->  y: [B, out]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let batch = x.rows, nIn = inputSize, nOut = outputSize
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(x.columns == nIn, "dense expects \(nIn) inputs, got \(x.shape)")
        input = x
        output.resize(to: [batch, nOut])
        let workers = workers(batch: batch)
        x.withUnsafeBufferPointer { xs in
            weight.value.withUnsafeBufferPointer { ws in
                bias.value.withUnsafeBufferPointer { bs in
                    output.withUnsafeMutableBufferPointer { ys in
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        let x = xs.baseAddress!, w = ws.baseAddress!, b = bs.baseAddress!, y = ys.baseAddress!
                        Parallel.run(workers) { worker in
                            // Output neurons (rows of W): the worker that steps a row of W
                            // (the optimizer splits the flat weight the same way) is the one
                            // that reads it here and writes its gradient in backward, so W
                            // and dW never change cores (see WorkerPool on why that matters).
                            let outs = Parallel.block(nOut, worker, of: workers)
                            guard !outs.isEmpty else { return }
                            // Broadcast the bias into y, then accumulate x W^T on top (beta = 1).
                            for r in 0..<batch {
                                let row = y + r * nOut
                                for j in outs { row[j] = b[j] }
                            }
                            BLAS.sgemm(transA: false, transB: true, m: batch, n: outs.count, k: nIn,
                                       x, lda: nIn, w + outs.lowerBound * nIn, ldb: nIn,
                                       beta: 1, y + outs.lowerBound, ldc: nOut)
                        }
                    }
                }
            }
        }
        return output
    }

    /// Lets go of the cached x when no backward will follow this forward (see
    /// `NeuronLayer.releaseInput`).
    public func releaseInput() { input = .empty }

    // dy: [B, out]  ->  dW = dy^T x [out, in], db = sum_B dy, dx = dy W [B, in]
    // (split over rows of W for dW and db, over columns of W for dx)
    public func backward(_ dy: Tensor) -> Tensor {
        let batch = dy.rows, nIn = inputSize, nOut = outputSize
        // Invariant: shapes were inferred by `Experiment.validate` and batches have network.input's shape (`ExperimentSession`).
        precondition(input.rows == batch && dy.columns == nOut,
                     "dense backward expects dy [\(input.rows), \(nOut)] after a forward, got \(dy.shape)")
        let propagate = propagatesGradient, wantGrads = computesParameterGradients
        if propagate { gradInput.resize(to: input.shape) }
        let workers = workers(batch: batch)
        dy.withUnsafeBufferPointer { gs in
            input.withUnsafeBufferPointer { xs in
                weight.value.withUnsafeBufferPointer { ws in
                    weight.grad.withUnsafeMutableBufferPointer { dws in
                        bias.grad.withUnsafeMutableBufferPointer { dbs in
                            gradInput.withUnsafeMutableBufferPointer { dxs in
                                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                let g = gs.baseAddress!, x = xs.baseAddress!, w = ws.baseAddress!
                                let dw = dws.baseAddress!, db = dbs.baseAddress!, dx = dxs.baseAddress
                                Parallel.run(workers) { worker in
                                    // dW and db by rows of W (output neurons), as in forward;
                                    // dx by columns of W, each worker packing only its part.
                                    let outs = Parallel.block(nOut, worker, of: workers)
                                    if wantGrads && !outs.isEmpty {
                                        BLAS.sgemm(transA: true, transB: false, m: outs.count, n: nIn, k: batch,
                                                   g + outs.lowerBound, lda: nOut, x, ldb: nIn,
                                                   dw + outs.lowerBound * nIn, ldc: nIn)
                                    }
                                    let cols = Parallel.block(nIn, worker, of: workers, multipleOf: 16)
                                    if wantGrads && !outs.isEmpty {
                                        for j in outs { db[j] = 0 }
                                        for r in 0..<batch {
                                            let row = g + r * nOut
                                            for j in outs { db[j] += row[j] }
                                        }
                                    }
                                    guard propagate, let dx, !cols.isEmpty else { return }
                                    BLAS.sgemm(transA: false, transB: false, m: batch, n: cols.count, k: nOut,
                                               g, lda: nOut, w + cols.lowerBound, ldb: nIn,
                                               dx + cols.lowerBound, ldc: nIn)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Let go of x now: it is the previous layer's output buffer, and holding it into
        // the next step would make that layer copy it (copy-on-write) before refilling it.
        input = .empty
        return propagate ? gradInput : .empty
    }
}
