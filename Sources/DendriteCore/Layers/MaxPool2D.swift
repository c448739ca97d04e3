import CKernels
/// Max pooling over k x k windows, `torch.nn.MaxPool2d(k, stride)` without padding:
/// [B, C, H, W] -> [B, C, (H-k)/s+1, (W-k)/s+1] (floor, so a ragged edge is dropped).
///
/// Forward remembers, per output, the flat input index of the winning element (Int32,
/// in a buffer reused across steps); backward sends each output's gradient to exactly
/// that element. Ties go to the first maximum in row-major window order, and a NaN
/// takes the window (PyTorch's rule: `v > max || isnan(v)`).
public final class MaxPool2D: Layer {
    public let kind = "maxpool"
    /// Window side, in pixels.
    public let size: Int
    /// Step between windows, in pixels (= size unless asked otherwise).
    public let stride: Int
    public var propagatesGradient = true

    private var inputShape: [Int] = []
    private var output = Tensor.empty
    private var gradInput = Tensor.empty
    private var argmax: [Int32] = []       // [B, C, Ho, Wo]: flat index into the input

    public init(size: Int, stride: Int? = nil) {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate` (its memory limit keeps a batch under Int32.max values).
        precondition(size > 0 && (stride ?? 1) > 0, "maxpool expects a positive size and stride")
        self.size = size
        self.stride = stride ?? size
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate` (its memory limit keeps a batch under Int32.max values).
        precondition(inputShape.count == 3 && inputShape[1] >= size && inputShape[2] >= size,
                     "maxpool \(size) expects input [C, H, W] with H, W >= \(size), got \(inputShape)")
        return [inputShape[0], (inputShape[1] - size) / stride + 1, (inputShape[2] - size) / stride + 1]
    }

    // x: [B, C, H, W]  ->  y: [B, C, Ho, Wo],  y = max over each window
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate` (its memory limit keeps a batch under Int32.max values).
        precondition(x.rank == 4, "maxpool expects [B, C, H, W], got \(x.shape)")
        let s = outputShape(for: Array(x.shape.dropFirst()))
        let planes = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let ho = s[1], wo = s[2], k = size, st = stride
        // Invariant: sizes bounded and shapes inferred by `Experiment.validate` (its memory limit keeps a batch under Int32.max values).
        precondition(x.count <= Int(Int32.max), "maxpool input \(x.shape) is too large for Int32 indices")
        inputShape = x.shape
        output.resize(to: [x.shape[0], s[0], ho, wo])
        if argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        x.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { yInout in
                argmax.withUnsafeMutableBufferPointer { argInout in
                  // Plain copies of the (inout) buffer pointers for the workers to capture.
                  let y = yInout, arg = argInout
                  Parallel.forRanges(planes, cost: h * w) { range in
                    for pl in range {
                        let inBase = pl * h * w, outBase = pl * ho * wo
                        for oh in 0..<ho {
                            if k == 2 && st == 2 {
                                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                dendrite_pool2x2_row(src.baseAddress!, inBase + 2 * oh * w, w, wo,
                                                     y.baseAddress! + outBase + oh * wo, arg.baseAddress! + outBase + oh * wo)
                                continue
                            }
                            for ow in 0..<wo {
                                let corner = inBase + oh * st * w + ow * st
                                var best = corner, m = src[corner]
                                if k == 2 {
                                    // The common case, unrolled; same order as the loop below.
                                    Self.take(src[corner + 1], at: corner + 1, max: &m, index: &best)
                                    Self.take(src[corner + w], at: corner + w, max: &m, index: &best)
                                    Self.take(src[corner + w + 1], at: corner + w + 1, max: &m, index: &best)
                                } else {
                                    for kh in 0..<k {
                                        for kw in 0..<k {
                                            let i = corner + kh * w + kw
                                            Self.take(src[i], at: i, max: &m, index: &best)
                                        }
                                    }
                                }
                                y[outBase + oh * wo + ow] = m
                                arg[outBase + oh * wo + ow] = Int32(truncatingIfNeeded: best)
                            }
                        }
                    }
                  }
                }
            }
        }
        return output
    }

    /// PyTorch's update rule, written as selects rather than a branch: on random data
    /// the branch is mispredicted about every other window.
    @inline(__always)
    private static func take(_ v: Float, at i: Int, max m: inout Float, index best: inout Int) {
        let better = v > m || v.isNaN
        m = better ? v : m
        best = better ? i : best
    }

    // dy: [B, C, Ho, Wo]  ->  dx: [B, C, H, W], dx[argmax] += dy, zero elsewhere
    public func backward(_ dy: Tensor) -> Tensor {
        // First, before the shape check: layers before the first one with parameters get
        // no gradient (`.empty`), so a maxpool at the network's input used to trap here.
        guard propagatesGradient else { return .empty }
        // Invariant: dy comes from the next layer's backward of this forward's output.
        precondition(dy.count == argmax.count, "maxpool backward expects \(output.shape), got \(dy.shape)")
        gradInput.resize(to: inputShape)
        // Plane by plane: a window's winner always lies in the window's own plane.
        let planes = inputShape[0] * inputShape[1], inPlane = inputShape[2] * inputShape[3]
        let outPlane = argmax.count / max(planes, 1)
        let h = inputShape[2], w = inputShape[3], ho = (h - size) / stride + 1, wo = (w - size) / stride + 1
        // Rows of fewer than eight windows are quicker as one memset and a scatter (measured
        // on the MNIST CNN's second pool, 5 windows a row: 0.14 against 0.23 ms a batch).
        let tiles = size == 2 && stride == 2 && wo >= 8
        dy.withUnsafeBufferPointer { g in
            argmax.withUnsafeBufferPointer { arg in
                gradInput.withUnsafeMutableBufferPointer { dx in
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    let g = g.baseAddress!, arg = arg.baseAddress!, dx = dx.baseAddress!
                    Parallel.forRanges(planes, cost: inPlane) { range in
                        if tiles {
                            // Windows of 2 at stride 2 tile the plane: each writes its four
                            // inputs (the gradient at its maximum, 0 elsewhere) in one pass,
                            // and only a ragged edge past the last window needs zeros.
                            for pl in range {
                                let inBase = pl * inPlane, outBase = pl * outPlane
                                for oh in 0..<ho {
                                    dendrite_unpool2x2_row(g + outBase + oh * wo, arg + outBase + oh * wo,
                                                           inBase + 2 * oh * w, w, wo, dx)
                                    for r in (2 * oh)..<(2 * oh + 2) {
                                        for i in (2 * wo)..<w { dx[inBase + r * w + i] = 0 }
                                    }
                                }
                                (dx + inBase + 2 * ho * w).update(repeating: 0, count: (h - 2 * ho) * w)
                            }
                            return
                        }
                        (dx + range.lowerBound * inPlane).update(repeating: 0, count: range.count * inPlane)
                        // += because windows overlap when stride < size.
                        for i in (range.lowerBound * outPlane)..<(range.upperBound * outPlane) {
                            dx[Int(arg[i])] += g[i]
                        }
                    }
                }
            }
        }
        return gradInput
    }
}
