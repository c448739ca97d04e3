/// The candidate objective of PB's dendrite phase (DESIGN 2.2 step 3), per neuron c:
///
///     S_c = sign(cov_run_c) * cov_batch_c(V, E) / (sd_run(V_c) * sd_run(E_c) + eps)
///
/// V is the candidate's output, E the neuron's per-sample error dL/dy, and p runs over
/// samples x spatial positions. Running means of V and E (rate r) centre the batch
/// moments; running variances and a running covariance (same rate) give the scale and
/// the sign. The sign and running statistics keep the target fixed from batch to batch:
/// per-batch |Pearson| lets the sign flip and the candidate fits noise.
///
/// Gradient: the **full ratio** is differentiated. With mV = (1-r) mV0 + r mean_p V,
/// the batch covariance and the running variance of V both depend on V (the latter
/// with weight r), so
///
///     dcov/dV_p   = (dE_p - r mean(dE)) / P
///     dvarV/dV_p  = r * 2 (dV_p - r mean(dV)) / P          (dV = V - mV, dE = E - mE)
///     dS/dV_p     = sign * (dcov/dV_p / den - cov sd(E) dvarV/dV_p / (2 sd(V) den^2))
///
/// The sign is held constant. With r = 1 this is exactly the gradient of batch
/// |Pearson|, which DESIGN 2.2's fixed case tests; during training r = 0.01 and the
/// sd(V) term is small, close to the cascade-correlation simplification. So the
/// candidate may raise S partly by growing V's spread faster than sd_run(V) follows;
/// on toy data that sharpening helps. (Differentiating as if sd(V) were the batch's,
/// which makes the step scale-invariant, solved XOR on 0 of 8 seeds instead of 1 of 8
/// exactly and two spirals on 0 of 3 instead of 2 of 3.)
public enum CorrelationObjective {
    public static let epsilon: Double = 1e-8

    /// Running statistics of one layer's candidates, one entry per neuron.
    public struct State: Codable, Equatable, Sendable {
        public var meanV: [Double]
        public var meanE: [Double]
        public var varianceV: [Double]
        public var varianceE: [Double]
        public var covariance: [Double]
        /// Batches folded into the V statistics; the first batch seeds them (rate 1).
        public var updates = 0
        public var rate: Double

        /// E's mean and variance start from the neuron phase's running error
        /// statistics (DESIGN: "seeded from the N phase for E"); V's from the first batch.
        public init(channels: Int, rate: Double = 0.01, seededError: RunningMoments? = nil) {
            let zeros = [Double](repeating: 0, count: channels)
            meanV = zeros
            varianceV = zeros
            covariance = zeros
            meanE = seededError?.mean ?? zeros
            varianceE = seededError?.variance ?? zeros
            self.rate = rate
            errorSeeded = (seededError?.updates ?? 0) > 0
        }

        /// Whether E's statistics carry over from the neuron phase.
        public var errorSeeded: Bool
    }

    /// Folds one batch into `state` and returns S_c per neuron; when `gradient` is given,
    /// writes dS_c/dV there ([B, C, S] like `v`).
    ///
    /// v, e: [B, C, S] (S spatial positions per neuron; S = 1 for Dense).
    public static func update(
        state: inout State, v: UnsafeBufferPointer<Double>, e: UnsafeBufferPointer<Double>,
        batch: Int, channels: Int, spatial: Int,
        gradient: UnsafeMutableBufferPointer<Double>? = nil
    ) -> [Double] {
        precondition(v.count == batch * channels * spatial && e.count == v.count,
                     "correlation objective: V and E must both be [\(batch), \(channels), \(spatial)]")
        let first = state.updates == 0
        let r = state.rate
        let rV = first ? 1 : r                       // V's statistics are seeded by the first batch
        let rE = (first && !state.errorSeeded) ? 1 : r
        let count = Double(batch * spatial)
        var scores = [Double](repeating: 0, count: channels)
        for c in 0..<channels {
            @inline(__always) func at(_ b: Int, _ s: Int) -> Int { (b * channels + c) * spatial + s }
            var sumV: Double = 0, sumE: Double = 0
            for b in 0..<batch { for s in 0..<spatial { sumV += v[at(b, s)]; sumE += e[at(b, s)] } }
            let mV = (1 - rV) * state.meanV[c] + rV * sumV / count
            let mE = (1 - rE) * state.meanE[c] + rE * sumE / count
            var cov: Double = 0, vv: Double = 0, ee: Double = 0, sdV: Double = 0, sdE: Double = 0
            for b in 0..<batch {
                for s in 0..<spatial {
                    let dv = v[at(b, s)] - mV, de = e[at(b, s)] - mE
                    cov += dv * de; vv += dv * dv; ee += de * de
                    sdV += dv; sdE += de
                }
            }
            cov /= count; vv /= count; ee /= count
            let meanDV = sdV / count, meanDE = sdE / count
            let varV = (1 - rV) * state.varianceV[c] + rV * vv
            let varE = (1 - rE) * state.varianceE[c] + rE * ee
            let covRun = (1 - rV) * state.covariance[c] + rV * cov
            state.meanV[c] = mV
            state.meanE[c] = mE
            state.varianceV[c] = varV
            state.varianceE[c] = varE
            state.covariance[c] = covRun

            let sign: Double = covRun < 0 ? -1 : 1
            let sV = max(varV, 1e-30).squareRoot(), sE = max(varE, 0).squareRoot()
            let den = sV * sE + epsilon
            scores[c] = sign * cov / den
            guard let g = gradient else { continue }
            for b in 0..<batch {
                for s in 0..<spatial {
                    let i = at(b, s)
                    let dv = v[i] - mV, de = e[i] - mE
                    let dCov = (de - rV * meanDE) / count
                    let dVar = rV * 2 * (dv - rV * meanDV) / count
                    g[i] = (sign * (dCov / den - cov * sE * dVar / (2 * sV * den * den)))
                }
            }
        }
        state.updates += 1
        return scores
    }
}

/// Plain |Pearson| correlation of V and E per neuron over many batches (the fixed
/// evaluation subset of a dendrite phase), accumulated in Float64.
public struct CorrelationAccumulator: Sendable {
    private var n: Double = 0
    private var sv: [Double], se: [Double], svv: [Double], see: [Double], sve: [Double]

    public init(channels: Int) {
        let z = [Double](repeating: 0, count: channels)
        sv = z; se = z; svv = z; see = z; sve = z
    }

    /// v, e: [B, C, S].
    public mutating func add(v: UnsafeBufferPointer<Float>, e: UnsafeBufferPointer<Float>,
                             batch: Int, channels: Int, spatial: Int) {
        for b in 0..<batch {
            for c in 0..<channels {
                let base = (b * channels + c) * spatial
                for s in 0..<spatial {
                    let x = Double(v[base + s]), y = Double(e[base + s])
                    sv[c] += x; se[c] += y; svv[c] += x * x; see[c] += y * y; sve[c] += x * y
                }
            }
        }
        n += Double(batch * spatial)
    }

    /// |corr(V_c, E_c)| per neuron (0 where either side is constant).
    public var correlations: [Double] {
        (0..<sv.count).map { c in
            guard n > 1 else { return 0 }
            let cov = sve[c] / n - sv[c] / n * se[c] / n
            let vv = svv[c] / n - sv[c] * sv[c] / (n * n)
            let ee = see[c] / n - se[c] * se[c] / (n * n)
            guard vv > 1e-20, ee > 1e-20 else { return 0 }
            return abs(cov) / (vv.squareRoot() * ee.squareRoot())
        }
    }
}
