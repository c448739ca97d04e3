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
                            var first = 0
                            if k == 2 && st == 2 && wo >= 4 {
                                // Eight (or four) windows at a time; a ragged end is redone by
                                // an overlapping last block (same values, written twice).
                                let lanes = wo >= 8 ? 8 : 4
                                var ow = 0
                                while true {
                                    let start = min(ow, wo - lanes)
                                    let corner = inBase + 2 * oh * w + 2 * start, out = outBase + oh * wo + start
                                    if lanes == 8 {
                                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                        Self.pool2x2(src.baseAddress!, corner: corner, width: w, max: y.baseAddress! + out,
                                                     index: arg.baseAddress! + out, as: SIMD16<Float>.self)
                                    } else {
                                        Self.pool2x2(src.baseAddress!, corner: corner, width: w, max: y.baseAddress! + out,
                                                     // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                                                     index: arg.baseAddress! + out, as: SIMD8<Float>.self)
                                    }
                                    if start == wo - lanes { break }
                                    ow += lanes
                                }
                                first = wo
                            }
                            for ow in first..<wo {
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

    /// Neighbouring 2x2 windows (stride 2), as many as `Row` has lanes / 2, whose first
    /// corner is `corner`: two input rows split into even and odd columns, compared
    /// lane-wise with PyTorch's rule in the same window order as the scalar loop.
    @inline(__always)
    private static func pool2x2<Row: SIMD>(_ x: UnsafePointer<Float>, corner: Int, width: Int,
                                           max y: UnsafeMutablePointer<Float>, index: UnsafeMutablePointer<Int32>,
                                           as: Row.Type) where Row.Scalar == Float {
        let top = UnsafeRawPointer(x + corner).loadUnaligned(as: Row.self)
        let bottom = UnsafeRawPointer(x + corner + width).loadUnaligned(as: Row.self)
        let half = Row.scalarCount / 2
        var m = SIMD8<Float>(), best = SIMD8<Int32>()
        var v1 = SIMD8<Float>(), v2 = SIMD8<Float>(), v3 = SIMD8<Float>()
        for i in 0..<half {
            m[i] = top[2 * i]; v1[i] = top[2 * i + 1]
            v2[i] = bottom[2 * i]; v3[i] = bottom[2 * i + 1]
        }
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14) &+ Int32(truncatingIfNeeded: corner)
        best = lanes
        func take(_ v: SIMD8<Float>, _ at: SIMD8<Int32>) {
            let better = (v .> m) .| (v .!= v)
            m.replace(with: v, where: better)
            best.replace(with: at, where: better)
        }
        take(v1, lanes &+ 1)
        take(v2, lanes &+ Int32(truncatingIfNeeded: width))
        take(v3, lanes &+ Int32(truncatingIfNeeded: width + 1))
        for i in 0..<half { y[i] = m[i]; index[i] = best[i] }
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
        dy.withUnsafeBufferPointer { g in
            argmax.withUnsafeBufferPointer { arg in
                gradInput.withUnsafeMutableBufferPointer { dx in
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    let g = g.baseAddress!, arg = arg.baseAddress!, dx = dx.baseAddress!
                    Parallel.forRanges(planes, cost: inPlane) { range in
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
