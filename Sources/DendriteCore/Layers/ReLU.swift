/// max(0, x), elementwise. Any shape.
public final class ReLU: Layer {
    public let kind = "relu"
    public var propagatesGradient = true
    private var output = Tensor.empty
    private var gradInput = Tensor.empty

    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    // y = max(0, x)
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.resize(to: x.shape)
        x.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                let x = src.baseAddress!, y = dst.baseAddress!
                Parallel.forRanges(src.count) { range in
                    for i in range { y[i] = x[i] > 0 ? x[i] : 0 }
                }
            }
        }
        return output
    }

    // dx = dy where y > 0 (the subgradient at 0 is taken as 0, as PyTorch does)
    public func backward(_ dy: Tensor) -> Tensor {
        guard propagatesGradient else { return .empty }
        gradInput.resize(to: dy.shape)
        dy.withUnsafeBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                gradInput.withUnsafeMutableBufferPointer { dx in
                    // Both loads unconditional, so the loop vectorises into a select
                    // instead of branching on the sign of every element.
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    let g = g.baseAddress!, y = y.baseAddress!, dx = dx.baseAddress!
                    Parallel.forRanges(dy.count) { range in
                        for i in range { let gi = g[i]; dx[i] = y[i] > 0 ? gi : 0 }
                    }
                }
            }
        }
        return gradInput
    }
}
