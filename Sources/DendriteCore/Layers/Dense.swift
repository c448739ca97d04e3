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

    private var input = Tensor.empty       // cached x for backward
    private var output = Tensor.empty
    private var gradInput = Tensor.empty

    public init(inputSize: Int, outputSize: Int, rng: inout RNG, name: String = "dense") {
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = 1 / Float(inputSize).squareRoot()
        var w = Tensor(shape: [outputSize, inputSize])
        for i in 0..<w.count { w[i] = rng.uniform(-bound, bound) }
        var b = Tensor(shape: [outputSize])
        for i in 0..<b.count { b[i] = rng.uniform(-bound, bound) }
        weight = Parameter(name: "\(name).weight", value: w)
        bias = Parameter(name: "\(name).bias", value: b)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.reduce(1, *) == inputSize,
                     "dense expects \(inputSize) inputs, got shape \(inputShape)")
        return [outputSize]
    }

    // x: [B, in]  ->  y: [B, out]
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let batch = x.rows
        precondition(x.columns == inputSize, "dense expects \(inputSize) inputs, got \(x.shape)")
        input = x
        output.resize(to: [batch, outputSize])
        // Broadcast the bias into y, then accumulate x W^T on top (beta = 1).
        bias.value.withUnsafeBufferPointer { b in
            output.withUnsafeMutableBufferPointer { y in
                for r in 0..<batch {
                    let row = y.baseAddress! + r * outputSize
                    for j in 0..<outputSize { row[j] = b[j] }
                }
            }
        }
        Tensor.matmul(x, weight.value, transposeB: true, into: &output, beta: 1)
        return output
    }

    // dy: [B, out]  ->  dW = dy^T x [out, in], db = sum_B dy, dx = dy W [B, in]
    public func backward(_ dy: Tensor) -> Tensor {
        let batch = dy.rows
        precondition(input.rows == batch && dy.columns == outputSize,
                     "dense backward expects dy [\(input.rows), \(outputSize)] after a forward, got \(dy.shape)")
        Tensor.matmul(dy, transposeA: true, input, into: &weight.grad)
        // Let go of x now: it is the previous layer's output buffer, and holding it into
        // the next step would make that layer copy it (copy-on-write) before refilling it.
        let inputShape = input.shape
        input = .empty
        bias.grad.fill(0)
        dy.withUnsafeBufferPointer { g in
            bias.grad.withUnsafeMutableBufferPointer { db in
                for r in 0..<batch {
                    let row = g.baseAddress! + r * outputSize
                    for j in 0..<outputSize { db[j] += row[j] }
                }
            }
        }
        guard propagatesGradient else { return .empty }
        gradInput.resize(to: inputShape)
        Tensor.matmul(dy, weight.value, into: &gradInput)
        return gradInput
    }
}
