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
                switch f {
                case .tanh: for i in 0..<src.count { dst[i] = tanhf(src[i]) }
                case .sigmoid: for i in 0..<src.count { dst[i] = 1 / (1 + expf(-src[i])) }
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
                gradInput.withUnsafeMutableBufferPointer { dx in
                    switch f {
                    case .tanh: for i in 0..<g.count { dx[i] = g[i] * (1 - y[i] * y[i]) }
                    case .sigmoid: for i in 0..<g.count { dx[i] = g[i] * y[i] * (1 - y[i]) }
                    }
                }
            }
        }
        return gradInput
    }
}
