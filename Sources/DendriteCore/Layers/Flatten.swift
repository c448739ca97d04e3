/// [B, C, H, W] -> [B, C*H*W]. A reshape only: no copy in either direction.
public final class Flatten: Layer {
    public let kind = "flatten"
    public var propagatesGradient = true
    private var inputShape: [Int] = []

    public init() {}

    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        return x.reshaped([x.rows, x.columns])
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard propagatesGradient else { return .empty }
        return dy.reshaped(inputShape)
    }
}
