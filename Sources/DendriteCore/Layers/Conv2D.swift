/// 2-D convolution with a square kernel, equal stride on both axes and zero padding:
/// `torch.nn.Conv2d(cin, cout, k, stride, padding)`.
///
/// The whole batch is one matrix product. im2col unrolls every receptive field into a
/// column of `columns` [Cin*k*k, B*Ho*Wo] (column index = b, oh, ow), so
/// `product` [Cout, B*Ho*Wo] = W [Cout, Cin*k*k] x columns. One large sgemm keeps
/// OpenBLAS efficient where a product per sample (N = Ho*Wo, often ~100) would not; the
/// price is a copy between `product`'s channel-major layout and the NCHW output, which
/// also adds the bias. Both work buffers belong to the layer, only grow, and are reused
/// every step (and `columns` again for dL/dcolumns in backward), so steady-state
/// training allocates nothing.
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

    private var geometry: ConvGeometry?    // of the last forward
    private var output = Tensor.empty
    private var gradInput = Tensor.empty
    private var columns: [Float] = []      // [Cin*k*k, B*Ho*Wo]; dL/dcolumns during backward
    private var product: [Float] = []      // [Cout, B*Ho*Wo]; dL/dproduct during backward

    public init(inputChannels: Int, outputChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, rng: inout RNG, name: String = "conv2d") {
        precondition(inputChannels > 0 && outputChannels > 0, "conv2d needs positive channel counts")
        precondition(kernel > 0 && stride > 0 && padding >= 0,
                     "conv2d expects kernel > 0, stride > 0, padding >= 0; got \(kernel), \(stride), \(padding)")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        // torch.nn.Conv2d's default: kaiming_uniform(a = sqrt 5) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        let bound = 1 / Float(inputChannels * kernel * kernel).squareRoot()
        var w = Tensor(shape: [outputChannels, inputChannels, kernel, kernel])
        for i in 0..<w.count { w[i] = rng.uniform(-bound, bound) }
        var b = Tensor(shape: [outputChannels])
        for i in 0..<b.count { b[i] = rng.uniform(-bound, bound) }
        weight = Parameter(name: "\(name).weight", value: w)
        bias = Parameter(name: "\(name).bias", value: b)
    }

    public var parameters: [Parameter] { [weight, bias] }

    /// Output side for an input side, or nil when the kernel does not fit.
    public func outputSide(_ inputSide: Int) -> Int? {
        let span = inputSide + 2 * padding - kernel
        return span < 0 ? nil : span / stride + 1
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3 && inputShape[0] == inputChannels,
                     "conv2d expects input [\(inputChannels), H, W], got \(inputShape)")
        guard let ho = outputSide(inputShape[1]), let wo = outputSide(inputShape[2]) else {
            preconditionFailure("conv2d kernel \(kernel) (padding \(padding)) does not fit input \(inputShape)")
        }
        return [outputChannels, ho, wo]
    }

    // x: [B, Cin, H, W]  ->  y: [B, Cout, Ho, Wo],  y = W * x + b
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 4, "conv2d expects [B, \(inputChannels), H, W], got \(x.shape)")
        let s = outputShape(for: Array(x.shape.dropFirst()))
        let g = ConvGeometry(batch: x.shape[0], inChannels: inputChannels, height: x.shape[2],
                             width: x.shape[3], outHeight: s[1], outWidth: s[2],
                             kernel: kernel, stride: stride, padding: padding)
        geometry = g
        Self.reserve(&columns, g.patchSize * g.columnCount)
        Self.reserve(&product, outputChannels * g.columnCount)
        output.resize(to: [g.batch, outputChannels, g.outHeight, g.outWidth])
        let cout = outputChannels
        x.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { col in
                g.im2col(src.baseAddress!, into: col.baseAddress!)
            }
        }
        weight.value.withUnsafeBufferPointer { w in
            columns.withUnsafeBufferPointer { col in
                product.withUnsafeMutableBufferPointer { prod in
                    BLAS.sgemm(transA: false, transB: false, m: cout, n: g.columnCount, k: g.patchSize,
                               w.baseAddress!, col.baseAddress!, prod.baseAddress!)
                }
            }
        }
        // product[co, b*P + p] + bias[co]  ->  y[b, co, p]
        bias.value.withUnsafeBufferPointer { bias in
            product.withUnsafeBufferPointer { prod in
                output.withUnsafeMutableBufferPointer { y in
                    let plane = g.outPlane, n = g.columnCount
                    for b in 0..<g.batch {
                        for co in 0..<cout {
                            let src = prod.baseAddress! + co * n + b * plane
                            let dst = y.baseAddress! + (b * cout + co) * plane
                            let bv = bias[co]
                            for i in 0..<plane { dst[i] = src[i] + bv }
                        }
                    }
                }
            }
        }
        return output
    }

    // dy: [B, Cout, Ho, Wo]  ->  dW = dproduct x columns^T [Cout, Cin*k*k],
    // db = sum over (b, oh, ow) of dy, dx = col2im(W^T x dproduct) [B, Cin, H, W]
    public func backward(_ dy: Tensor) -> Tensor {
        guard let g = geometry else { preconditionFailure("conv2d backward called before forward") }
        let cout = outputChannels
        precondition(dy.shape == [g.batch, cout, g.outHeight, g.outWidth],
                     "conv2d backward expects dy \([g.batch, cout, g.outHeight, g.outWidth]), got \(dy.shape)")
        // dy[b, co, p]  ->  product[co, b*P + p], summing db on the way.
        dy.withUnsafeBufferPointer { gy in
            product.withUnsafeMutableBufferPointer { prod in
                bias.grad.withUnsafeMutableBufferPointer { db in
                    let plane = g.outPlane, n = g.columnCount
                    for co in 0..<cout {
                        var sum: Float = 0
                        for b in 0..<g.batch {
                            let src = gy.baseAddress! + (b * cout + co) * plane
                            let dst = prod.baseAddress! + co * n + b * plane
                            for i in 0..<plane { let v = src[i]; dst[i] = v; sum += v }
                        }
                        db[co] = sum
                    }
                }
            }
        }
        product.withUnsafeBufferPointer { prod in
            columns.withUnsafeBufferPointer { col in
                weight.grad.withUnsafeMutableBufferPointer { dw in
                    BLAS.sgemm(transA: false, transB: true, m: cout, n: g.patchSize, k: g.columnCount,
                               prod.baseAddress!, col.baseAddress!, dw.baseAddress!)
                }
            }
        }
        guard propagatesGradient else { return .empty }
        // columns is free now: it receives dL/dcolumns = W^T x dproduct.
        weight.value.withUnsafeBufferPointer { w in
            product.withUnsafeBufferPointer { prod in
                columns.withUnsafeMutableBufferPointer { col in
                    BLAS.sgemm(transA: true, transB: false, m: g.patchSize, n: g.columnCount, k: cout,
                               w.baseAddress!, prod.baseAddress!, col.baseAddress!)
                }
            }
        }
        gradInput.resize(to: [g.batch, g.inChannels, g.height, g.width])
        columns.withUnsafeBufferPointer { col in
            gradInput.withUnsafeMutableBufferPointer { dx in
                g.col2im(col.baseAddress!, into: dx.baseAddress!)
            }
        }
        return gradInput
    }

    /// Grows `buffer` to at least `count` elements (never shrinks: a short last batch
    /// uses a prefix).
    private static func reserve(_ buffer: inout [Float], _ count: Int) {
        if buffer.count < count { buffer = [Float](repeating: 0, count: count) }
    }
}
