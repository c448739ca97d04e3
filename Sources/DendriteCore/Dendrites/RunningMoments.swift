/// Per-neuron exponential running mean and variance of a signal (design.md 2.2: the error
/// E = dL/dy in the neuron phase, rate 0.01).
///
/// Each update takes one batch's mean over samples and spatial positions and blends it
/// in with weight `rate`; the variance is the batch's mean squared deviation from the
/// *updated running mean*, blended the same way. The first batch seeds both (rate 1),
/// so early values are not dragged towards zero.
public struct RunningMoments: Codable, Equatable, Sendable {
    public var mean: [Double]
    public var variance: [Double]
    public var rate: Double
    /// Number of batches seen.
    public var updates: Int = 0

    public init(channels: Int, rate: Double = 0.01) {
        mean = [Double](repeating: 0, count: channels)
        variance = [Double](repeating: 0, count: channels)
        self.rate = rate
    }

    /// x: [B, C, S] (S spatial positions per channel), scaled by `scale` on the way in.
    /// Channels are independent, so large calls split them over `Parallel`'s workers;
    /// each channel's sums stay in one worker, in sample order.
    public mutating func update(_ x: UnsafeBufferPointer<Float>, batch: Int, channels: Int,
                                spatial: Int, scale: Float = 1) {
        // Invariant: restored statistics are checked against the layer's neuron count (TrainingSnapshot.prepareDendrites).
        precondition(channels == mean.count, "running moments of \(mean.count) channels fed \(channels)")
        guard channels > 0 else { updates += 1; return }
        let r = updates == 0 ? 1 : rate
        let n = Double(batch * spatial)
        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
        let p = x.baseAddress!
        mean.withUnsafeMutableBufferPointer { mean in
            variance.withUnsafeMutableBufferPointer { variance in
                let mean = mean.baseAddress!, variance = variance.baseAddress!
                Parallel.forRanges(channels, cost: 2 * batch * spatial) { range in
                    for c in range {
                        // Per-row sums in Float32, across rows in Float64.
                        var sum: Double = 0
                        for b in 0..<batch {
                            sum += Double(LaneSums.sum(p + (b * channels + c) * spatial, spatial))
                        }
                        sum *= Double(scale)
                        let m = (1 - r) * mean[c] + r * (sum / n)
                        let mf = Float(m / Double(scale))
                        var sq: Double = 0
                        for b in 0..<batch {
                            sq += Double(LaneSums.squaredDeviations(p + (b * channels + c) * spatial, spatial, mean: mf))
                        }
                        sq *= Double(scale) * Double(scale)
                        mean[c] = m
                        variance[c] = (1 - r) * variance[c] + r * (sq / n)
                    }
                }
            }
        }
        updates += 1
    }
}
