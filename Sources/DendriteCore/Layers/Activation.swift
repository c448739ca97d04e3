import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Elementwise activations whose derivative is a function of the output y, which is
/// all backward needs: tanh' = 1 - y^2, sigmoid' = y (1 - y). Any shape.
public final class Activation: Layer {
    public enum Function: String, Codable, Sendable {
        case tanh, sigmoid
    }

    public let function: Function
    public var kind: String { function.rawValue }
    public var propagatesGradient = true
    private var output = Tensor.empty
    private var gradInput = Tensor.empty

    public init(_ function: Function) { self.function = function }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    // y = f(x)
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.resize(to: x.shape)
        let f = function
        x.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                let x = src.baseAddress!, y = dst.baseAddress!
                Parallel.forRanges(src.count, cost: 8) { range in   // a libm call ~ 8 copies
                    switch f {
                    case .tanh: for i in range { y[i] = tanhf(x[i]) }
                    case .sigmoid: dendrite_sigmoid(x + range.lowerBound, y + range.lowerBound, range.count)
                    }
                }
            }
        }
        return output
    }

    // dx = dy * f'(x), with f' written in terms of y
    public func backward(_ dy: Tensor) -> Tensor {
        guard propagatesGradient else { return .empty }
        gradInput.resize(to: dy.shape)
        let f = function
        dy.withUnsafeBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                gradInput.withUnsafeMutableBufferPointer { dxInout in
                    // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                    let g = g.baseAddress!, y = y.baseAddress!, dx = dxInout.baseAddress!
                    Parallel.forRanges(dy.count) { range in
                        switch f {
                        case .tanh: for i in range { dx[i] = g[i] * (1 - y[i] * y[i]) }
                        case .sigmoid: for i in range { dx[i] = g[i] * y[i] * (1 - y[i]) }
                        }
                    }
                }
            }
        }
        return gradInput
    }
}
