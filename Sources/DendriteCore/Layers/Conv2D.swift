/// 2-D convolution with a square kernel, equal stride on both axes and zero padding:
/// `torch.nn.Conv2d(cin, cout, k, stride, padding)`.
///
/// Convolution as matrix products over chunks of the batch. im2col unrolls every
/// receptive field of a chunk into a column of its block of `columns`
/// [Cin*k*k, chunk*Ho*Wo] (column index = b, oh, ow), so `product` [Cout, chunk*Ho*Wo]
/// = W [Cout, Cin*k*k] x columns. Several samples per sgemm keep OpenBLAS efficient
/// where one product per sample (N = Ho*Wo, often ~100) would not, and a chunk small
/// enough for L2 lets the sgemm read the columns im2col just wrote (and col2im the
/// column gradients the sgemm just wrote) from cache. The price is a copy between the
/// product's channel-major layout and NCHW, which also adds the bias. The columns of
/// the whole batch stay for backward (dW needs them; they then receive dL/dcolumns).
/// Chunks are independent, so with `BLAS.threads` > 1 they run on that many workers
/// (see `Parallel`). The work buffers belong to the layer, only grow, and are reused
/// every step, so steady-state training allocates nothing.
public final class Conv2D: Layer {
    public let kind = "conv2d"
    public let inputChannels: Int
    public let outputChannels: Int
    /// Side of the square kernel, in pixels.
    public let kernel: Int
    /// Step between receptive fields, in pixels, on both axes.
    public let stride: Int
    /// Zero rows/columns added on every side of the input.
    public let padding: Int
    public let weight: Parameter   // [Cout, Cin, k, k]
    public let bias: Parameter     // [Cout]
    public var propagatesGradient = true
    /// When false, backward leaves dW and db alone and only computes dx (frozen neurons
    /// in a PB dendrite phase: their gradient would never be used).
    public var computesParameterGradients = true

    private var geometry: ConvGeometry?    // whole batch, of the last forward
    private var output = Tensor.empty
    private var gradInput = Tensor.empty
    private let columns = WorkBuffer()     // whole batch, one [Cin*k*k, chunk*Ho*Wo] block per chunk;
                                           // dL/dcolumns in backward
    private var products: [WorkBuffer] = []  // per worker [Cout, chunk*Ho*Wo]; dL/dproduct in backward
    private let partials = WorkBuffer()    // per chunk: dW [Cout, Cin*k*k] then db [Cout]

    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, rng: inout RNG, name: String = "conv2d") {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        precondition(inputChannels > 0 && outputChannels > 0, "conv2d needs positive channel counts")
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        precondition(kernel > 0 && stride > 0 && padding >= 0,
                     "conv2d expects kernel > 0, stride > 0, padding >= 0; got \(kernel), \(stride), \(padding)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        (weight, bias) = Parameter.torchDefault(name: name, weightShape: [outputChannels, inputChannels, kernel, kernel],
                                                fanIn: inputChannels * kernel * kernel, rng: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// Output side for an input side, or nil when the kernel does not fit.
    public func outputSide(_ inputSide: Int) -> Int? {
        let span = inputSide + 2 * padding - kernel
        return span < 0 ? nil : span / stride + 1
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        precondition(inputShape.count == 3 && inputShape[0] == inputChannels,
                     "conv2d expects input [\(inputChannels), H, W], got \(inputShape)")
        guard let ho = outputSide(inputShape[1]), let wo = outputSide(inputShape[2]) else {
            // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
            preconditionFailure("conv2d kernel \(kernel) (padding \(padding)) does not fit input \(inputShape)")
        }
        return [outputChannels, ho, wo]
    }

    /// Samples per chunk: as many as keep one chunk's columns within `chunkBytes` (half
    /// of a 2 MB L2; measured best of 256 KB..4 MB for the MNIST CNN), while the product
    /// stays wide enough (hundreds of columns or more) for OpenBLAS.
    /// Internal and settable so tests can force several (and ragged) chunks.
    var chunkBytes = 1 << 20

    func chunkSize(_ g: ConvGeometry) -> Int {
        max(1, min(g.batch, chunkBytes / (g.patchSize * g.outPlane * MemoryLayout<Float>.size)))
    }

    /// Output planes of at least this many positions get one product per sample, written
    /// straight into the NCHW output (the product of a sample is [Cout, Ho*Wo], which is
    /// what NCHW holds per sample): no reordering pass over the output. Smaller planes
    /// keep the chunk-wide product and its copy, where per-sample products would be too
    /// narrow for OpenBLAS. Measured on the MNIST CNN at one thread (fastest batch):
    /// conv1 (676 positions) 1.04-1.10 -> 0.74-0.78 ms, conv2 (121) 2.79-2.82 -> 2.55-2.60.
    static let samplewisePlane = 100

    /// Fixes the number of workers (tests); nil = as many as `BLAS.threads`.
    var workerOverride: Int?

    func workers(for chunks: Int) -> Int {
        workerOverride.map { max(1, min($0, chunks)) } ?? Parallel.workers(for: chunks)
    }

    /// How a batch is cut: `count` chunks of `size` samples (the last may be short).
    /// The count is rounded up to an even number so two workers get equal shares; it
    /// depends only on the shapes, so results are the same for any number of threads.
    func chunkPlan(_ g: ConvGeometry) -> (size: Int, count: Int) {
        var count = (g.batch + chunkSize(g) - 1) / chunkSize(g)
        if count > 1 && count % 2 == 1 { count += 1 }
        let size = (g.batch + count - 1) / count
        return (size, (g.batch + size - 1) / size)
    }

    private func reserveProducts(_ workers: Int, _ count: Int) {
        while products.count < workers { products.append(WorkBuffer()) }
        for p in products.prefix(workers) { p.reserve(count) }
    }

    // x: [B, Cin, H, W]  ->  y: [B, Cout, Ho, Wo],  y = W * x + b
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        precondition(x.rank == 4, "conv2d expects [B, \(inputChannels), H, W], got \(x.shape)")
        let s = outputShape(for: Array(x.shape.dropFirst()))
        let g = ConvGeometry(batch: x.shape[0], inChannels: inputChannels, height: x.shape[2],
                             width: x.shape[3], outHeight: s[1], outWidth: s[2],
                             kernel: kernel, stride: stride, padding: padding)
        geometry = g
        let plan = chunkPlan(g), cout = outputChannels
        let workers = workers(for: plan.count)
        columns.reserve(g.patchSize * g.columnCount)
        reserveProducts(workers, cout * plan.size * g.outPlane)
        output.resize(to: [g.batch, cout, g.outHeight, g.outWidth])
        let col = columns.pointer, prods = products.map(\.pointer)
        let inSample = g.inChannels * g.height * g.width, outSample = cout * g.outPlane
        x.withUnsafeBufferPointer { xs in
            output.withUnsafeMutableBufferPointer { ys in
                weight.value.withUnsafeBufferPointer { w in
                    bias.value.withUnsafeBufferPointer { bias in
                        Parallel.forEachPiece(plan.count, workers: workers) { worker, c in
                            let prod = prods[worker]
                            let first = c * plan.size
                            let part = g.chunk(min(plan.size, g.batch - first))
                            let partColumns = col + first * g.patchSize * g.outPlane
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            part.im2col(xs.baseAddress! + first * inSample, into: partColumns)
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            let y = ys.baseAddress! + first * outSample, weights = w.baseAddress!
                            let plane = part.outPlane, n = part.columnCount
                            if plane >= Self.samplewisePlane {
                                // One product per sample, written in place over the broadcast bias.
                                for b in 0..<part.batch {
                                    let yb = y + b * outSample
                                    for co in 0..<cout { (yb + co * plane).update(repeating: bias[co], count: plane) }
                                    BLAS.sgemm(transA: false, transB: false, m: cout, n: plane, k: part.patchSize,
                                               weights, partColumns + b * plane, ldb: n, beta: 1, yb)
                                }
                                return
                            }
                            BLAS.sgemm(transA: false, transB: false, m: cout, n: part.columnCount,
                                       k: part.patchSize, weights, partColumns, prod)
                            // product[co, b*P + p] + bias[co]  ->  y[b, co, p]
                            for b in 0..<part.batch {
                                for co in 0..<cout {
                                    let src = prod + co * n + b * plane, dst = y + (b * cout + co) * plane
                                    let bv = bias[co]
                                    for i in 0..<plane { dst[i] = src[i] + bv }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    // dy: [B, Cout, Ho, Wo]  ->  dW = dproduct x columns^T [Cout, Cin*k*k],
    // db = sum over (b, oh, ow) of dy, dx = col2im(W^T x dproduct) [B, Cin, H, W],
    // chunk by chunk; each chunk's dW and db land in its own slot of `partials` and are
    // added up in chunk order at the end.
    public func backward(_ dy: Tensor) -> Tensor {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        guard let g = geometry else { preconditionFailure("conv2d backward needs a forward first") }
        let cout = outputChannels
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate`; batches have network.input's shape.
        precondition(dy.shape == [g.batch, cout, g.outHeight, g.outWidth],
                     "conv2d backward expects dy \([g.batch, cout, g.outHeight, g.outWidth]), got \(dy.shape)")
        let plan = chunkPlan(g), propagate = propagatesGradient, wantGrads = computesParameterGradients
        let workers = workers(for: plan.count)
        reserveProducts(workers, cout * plan.size * g.outPlane)
        let slot = cout * g.patchSize + cout     // one chunk's dW then db
        partials.reserve(plan.count * slot)
        let col = columns.pointer, prods = products.map(\.pointer), part0 = partials.pointer
        let inSample = g.inChannels * g.height * g.width, outSample = cout * g.outPlane
        if propagate { gradInput.resize(to: [g.batch, g.inChannels, g.height, g.width]) }
        dy.withUnsafeBufferPointer { gy in
            weight.value.withUnsafeBufferPointer { w in
                gradInput.withUnsafeMutableBufferPointer { dx in
                    Parallel.forEachPiece(plan.count, workers: workers) { worker, c in
                        let prod = prods[worker]
                        let first = c * plan.size
                        let part = g.chunk(min(plan.size, g.batch - first))
                        let plane = part.outPlane, n = part.columnCount
                        let dw = part0 + c * slot, db = dw + cout * g.patchSize
                        // dy[b, co, p]  ->  product[co, b*P + p], summing db on the way.
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        let dyChunk = gy.baseAddress! + first * outSample
                        for co in 0..<cout {
                            var sum: Float = 0
                            for b in 0..<part.batch {
                                sum += VectorKernels.copyAndSum(dyChunk + (b * cout + co) * plane,
                                                                to: prod + co * n + b * plane, count: plane)
                            }
                            db[co] = sum
                        }
                        let partColumns = col + first * g.patchSize * g.outPlane
                        if wantGrads {
                            BLAS.sgemm(transA: false, transB: true, m: cout, n: part.patchSize, k: n,
                                       prod, partColumns, dw)
                        }
                        guard propagate else { return }
                        // The columns are spent: reuse them for dL/dcolumns = W^T x dproduct.
                        BLAS.sgemm(transA: true, transB: false, m: part.patchSize, n: n, k: cout,
                                   // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                   w.baseAddress!, prod, partColumns)
                        part.col2im(partColumns, into: dx.baseAddress! + first * inSample)
                    }
                }
            }
        }
        guard wantGrads else { return propagate ? gradInput : .empty }
        // Chunk partials -> dW, db, always in chunk order.
        weight.grad.withUnsafeMutableBufferPointer { dw in
            bias.grad.withUnsafeMutableBufferPointer { db in
                let nw = cout * g.patchSize
                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                (dw.baseAddress!).update(from: part0, count: nw)
                (db.baseAddress!).update(from: part0 + nw, count: cout)
                for c in 1..<max(plan.count, 1) {
                    let p = part0 + c * slot
                    for i in 0..<nw { dw[i] += p[i] }
                    for i in 0..<cout { db[i] += p[nw + i] }
                }
            }
        }
        return propagate ? gradInput : .empty
    }
}
