/// Stochastic gradient descent with optional momentum and weight decay, matching
/// torch.optim.SGD: v = mu v + (g + wd w);  w -= lr v. Element-wise, so large
/// parameters are split over `Parallel`'s workers (same bits at any thread count).
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    /// Momentum buffers (internal so checkpoints can save them: OptimizerState.swift).
    var velocity = ParameterState<[Float]>()

    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func step(_ parameters: [Parameter]) {
        let mu = momentum, wd = weightDecay
        for p in parameters where p.trainable {
            let n = p.count, lr = learningRate * p.learningRateScale
            if mu == 0 {
                p.grad.withUnsafeBufferPointer { g in
                    p.value.withUnsafeMutableBufferPointer { w in
                        // Raw pointers: the buffers themselves, captured, would be re-read
                        // through memory the loop writes, and it would not vectorise.
                        guard let g = g.baseAddress, let w = w.baseAddress else { return }
                        Parallel.forRanges(n, cost: 2) { r in for i in r { w[i] -= lr * (g[i] + wd * w[i]) } }
                    }
                }
                continue
            }
            var v = velocity.removeValue(for: p) ?? []
            let fresh = v.count != n
            if fresh { v = [Float](repeating: 0, count: n) }
            p.grad.withUnsafeBufferPointer { g in
                p.value.withUnsafeMutableBufferPointer { w in
                    v.withUnsafeMutableBufferPointer { v in
                        guard let g = g.baseAddress, let w = w.baseAddress, let v = v.baseAddress else { return }
                        Parallel.forRanges(n, cost: 3) { r in
                            for i in r {
                                let d = g[i] + wd * w[i]
                                // torch initialises the buffer to the first gradient.
                                v[i] = fresh ? d : mu * v[i] + d
                                w[i] -= lr * v[i]
                            }
                        }
                    }
                }
            }
            velocity[p] = v
        }
    }

    public func reset() { velocity.removeAll() }
}
