#if canImport(Glibc)
import Glibc
#endif

/// Mean softmax cross-entropy over a batch of logits and integer class labels.
///
/// With a single output column the logit is read as log-odds of class 1 (sigmoid plus
/// binary cross-entropy), so "one output neuron" networks classify two classes the way
/// a textbook point neuron does.
public struct SoftmaxCrossEntropy: Sendable {
    /// dL/dlogits of the last `forward`, [B, C], already divided by B.
    public private(set) var gradient = Tensor.empty
    /// Predicted class per sample of the last `forward`.
    public private(set) var predictions: [Int32] = []

    public init() {}

    // logits: [B, C], labels: B values in 0..<max(C, 2)  ->  mean loss
    public mutating func forward(logits: Tensor, labels: ArraySlice<Int32>) -> Float {
        let batch = logits.rows, classes = logits.columns
        // Invariant: the trainer fills labels and logits from one batch (Dataset.fill).
        precondition(labels.count == batch, "\(labels.count) labels for \(batch) rows")
        gradient.resize(to: logits.shape)
        if predictions.count != batch { predictions = [Int32](repeating: 0, count: batch) }
        let invB = 1 / Float(batch)
        var total: Double = 0
        logits.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                predictions.withUnsafeMutableBufferPointer { pred in
                    var li = labels.startIndex
                    for r in 0..<batch {
                        let y = Int(labels[li]); li += 1
                        // Invariant: `Experiment.validate(against:)` checks every label of
                        // every split against the outputs before a session is built, so
                        // input never reaches this; a trap beats writing past the row.
                        precondition(y >= 0 && y < max(classes, 2), "label \(y) outside 0..<\(max(classes, 2))")
                        let row = z.baseAddress! + r * classes
                        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                        let grow = g.baseAddress! + r * classes
                        if classes == 1 {
                            // BCE with logits, written to stay finite for large |z|.
                            let x = row[0]
                            let p = 1 / (1 + expf(-x))
                            total += Double(max(x, 0) - x * Float(y) + log1pf(expf(-abs(x))))
                            grow[0] = (p - Float(y)) * invB
                            pred[r] = x > 0 ? 1 : 0
                            continue
                        }
                        var m = row[0], arg = 0
                        for j in 1..<classes where row[j] > m { m = row[j]; arg = j }
                        var sum: Float = 0
                        for j in 0..<classes { let e = expf(row[j] - m); grow[j] = e; sum += e }
                        let inv = 1 / sum
                        for j in 0..<classes { grow[j] *= inv * invB }
                        grow[y] -= invB
                        total += Double(logf(sum) - (row[y] - m))
                        pred[r] = Int32(arg)
                    }
                }
            }
        }
        return Float(total / Double(batch))
    }
}
