/// Mean squared error over every element of a batch, `torch.nn.MSELoss()`:
/// L = (1/n) sum (y - t)^2 with n = all elements (batch x outputs), so the loss does not
/// grow with the output width. For regression targets and for the dendrite candidates'
/// error-fitting, where there are no class labels.
public struct MeanSquaredError: Sendable {
    /// dL/dpredictions of the last `forward`, same shape as the predictions: 2 (y - t) / n.
    public private(set) var gradient = Tensor.empty

    public init() {}

    // predictions: [B, ...], targets: same element count  ->  mean loss
    public mutating func forward(predictions: Tensor, targets: Tensor) -> Float {
        // Invariant: callers pass predictions and targets of one shape (tests and the Lab's probes, never file input).
        precondition(predictions.count == targets.count,
                     "mse: \(predictions.shape) predictions for \(targets.shape) targets")
        gradient.resize(to: predictions.shape)
        let n = predictions.count
        guard n > 0 else { return 0 }
        let scale = 2 / Float(n)
        var total: Double = 0
        predictions.withUnsafeBufferPointer { y in
            targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in
                    for i in 0..<n {
                        let d = y[i] - t[i]
                        total += Double(d * d)
                        g[i] = scale * d
                    }
                }
            }
        }
        return Float(total / Double(n))
    }
}
