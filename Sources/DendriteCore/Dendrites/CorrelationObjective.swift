/// The candidate objective of PB's dendrite phase (design.md 2.2 step 3), per neuron c:
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
/// |Pearson|, which design.md 2.2's fixed case tests; during training r = 0.01 and the
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
        /// statistics (design.md: "seeded from the N phase for E"); V's from the first batch.
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

        /// The same statistics for a pool of `pool` candidates per neuron (pool-major
        /// channels p*C + c): each candidate starts from its neuron's error statistics.
        public mutating func tile(_ pool: Int) {
            guard pool > 1 else { return }
            func repeated(_ a: [Double]) -> [Double] { (0..<pool).flatMap { _ in a } }
            meanV = repeated(meanV); meanE = repeated(meanE)
            varianceV = repeated(varianceV); varianceE = repeated(varianceE)
            covariance = repeated(covariance)
        }
    }

    /// Folds one batch into `state` and returns S_c per neuron; when `gradient` is given,
    /// writes gradientScale * dS_c/dV there ([B, C, S] like `v`; the trainer passes -1
    /// because its optimizer descends). When `coefficients` is given ([3, C]: all a, all
    /// b, all k), writes each neuron's (a, b, k) of that gradient, for `slope` to apply
    /// later (the candidates' backward does, in the same pass as f', without a [B, C, S]
    /// buffer).
    ///
    /// v: [B, C, S] (S spatial positions per neuron; S = 1 for Dense), e: [B, C/P, S] with
    /// `errorChannels` = C/P (default C): channel c is scored against E's channel c mod C/P,
    /// so a pool of P candidates per neuron reads its neuron's error without a tiled copy.
    /// Float32 data is summed per row of S in Float32 and across rows in Float64; Float64
    /// data (the fixed test case) entirely in Float64. Neurons are independent, so large
    /// calls split them over `Parallel`'s workers; each neuron's sums stay in one worker,
    /// in sample order.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func update<T: ObjectiveScalar>(
        state: inout State, v: UnsafeBufferPointer<T>, e: UnsafeBufferPointer<T>,
        batch: Int, channels: Int, spatial: Int, errorChannels: Int? = nil,
        gradient: UnsafeMutableBufferPointer<T>? = nil, coefficients: UnsafeMutableBufferPointer<T>? = nil,
        gradientScale: Double = 1
    ) -> [Double] {
        let ec = errorChannels ?? channels
        // Invariant: the candidate trainer passes buffers sized from the same layer.
        precondition(v.count == batch * channels * spatial && ec > 0 && channels % ec == 0
                     && e.count == batch * ec * spatial && (coefficients?.count ?? 3 * channels) == 3 * channels,
                     "correlation objective: V must be [\(batch), \(channels), \(spatial)], E [\(batch), \(ec), \(spatial)]")
        guard channels > 0 else { state.updates += 1; return [] }
        let first = state.updates == 0
        let r = state.rate
        let rates = (v: first ? 1 : r,                             // V's statistics are seeded by the first batch
                     e: (first && !state.errorSeeded) ? 1 : r)
        var scores = [Double](repeating: 0, count: channels)
        let shape = Shape(batch: batch, channels: channels, spatial: spatial, errorChannels: ec)
        // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
        let vp = v.baseAddress!, ep = e.baseAddress!
        let sinks = Sinks(gradient: gradient?.baseAddress, coefficients: coefficients?.baseAddress)
        state.withStatistics { stats in
            scores.withUnsafeMutableBufferPointer { out in
                // Invariant: channels > 0 (checked above), so the scores array has a base.
                let out = out.baseAddress!
                Parallel.forRanges(channels, cost: 4 * batch * spatial) { neurons in
                    if spatial == 1 {
                        denseNeurons(neurons, stats, vp, ep, shape, rates, sinks, gradientScale, out)
                    } else {
                        for c in neurons {
                            out[c] = neuron(c, stats, vp, ep, shape, rates, sinks, gradientScale)
                        }
                    }
                }
            }
        }
        state.updates += 1
        return scores
    }

    /// One neuron's batch sums: sum V, sum E, then (with the new running means) the
    /// centred sum of dV dE, dV^2 and dE^2.
    struct Sums { var v = 0.0, e = 0.0, cov = 0.0, vv = 0.0, ee = 0.0 }

    /// V is [B, C, S], E [B, errorChannels, S].
    struct Shape { let batch, channels, spatial, errorChannels: Int }

    /// Where `update` puts the gradient: written out, or as (a, b, k) per neuron.
    struct Sinks<T> { let gradient: UnsafeMutablePointer<T>?, coefficients: UnsafeMutablePointer<T>? }

    /// The gradient rule, written once: gradientScale * dS/dV_p = a E_p + b V_p + k, with
    /// (a, b, k) of V's neuron (`update`'s `coefficients`).
    @inline(__always)
    public static func slope<T: ObjectiveScalar>(_ a: T, _ b: T, _ k: T, e: T, v: T) -> T { a * e + b * v + k }

    /// `update` for neuron c with S spatial positions per sample: rows of S summed in T,
    /// rows combined in Float64 in sample order.
    @inline(__always)
    private static func neuron<T: ObjectiveScalar>(
        _ c: Int, _ stats: Statistics, _ vp: UnsafePointer<T>, _ ep: UnsafePointer<T>,
        _ shape: Shape, _ rates: (v: Double, e: Double),
        _ sinks: Sinks<T>, _ gradientScale: Double
    ) -> Double {
        let batch = shape.batch, channels = shape.channels, spatial = shape.spatial, ec = shape.errorChannels
        // Sample b's rows of V and of E (E has this neuron's channel c mod ec).
        func rows(_ b: Int) -> (v: Int, e: Int) { ((b * channels + c) * spatial, (b * ec + c % ec) * spatial) }
        var sums = Sums()
        for b in 0..<batch {
            let (rv, re) = rows(b)
            let (sv, se) = T.rowSums(vp + rv, ep + re, spatial)
            sums.v += sv.double; sums.e += se.double
        }
        let (mV, mE) = means(c, stats, sums, count: Double(batch * spatial), rates)
        let mVT = T(double: mV), mET = T(double: mE)
        for b in 0..<batch {
            let (rv, re) = rows(b)
            let (cv, v2, e2) = T.rowMoments(vp + rv, ep + re, spatial, meanV: mVT, meanE: mET)
            sums.cov += cv.double; sums.vv += v2.double; sums.ee += e2.double
        }
        let (score, a, bb, k) = finish(c, stats, sums, count: Double(batch * spatial), rates, gradientScale)
        let aT = T(double: a), bT = T(double: bb), kT = T(double: k)
        if let cf = sinks.coefficients { cf[c] = aT; cf[channels + c] = bT; cf[2 * channels + c] = kT }
        guard let g = sinks.gradient else { return score }
        for b in 0..<batch {
            let (rv, re) = rows(b)
            for s in 0..<spatial { g[rv + s] = slope(aT, bT, kT, e: ep[re + s], v: vp[rv + s]) }
        }
        return score
    }

    /// Calls body(j, column, length) for the runs of neurons lo + j ..< lo + j + length
    /// whose E columns (neuron mod ec) are the contiguous column ..< column + length, so a
    /// pool's channels read their neurons' E as plain rows.
    @inline(__always)
    private static func runs(from lo: Int, count n: Int, errorChannels ec: Int, _ body: (Int, Int, Int) -> Void) {
        var j = 0
        while j < n {
            let column = (lo + j) % ec, length = min(n - j, ec - column)
            body(j, column, length)
            j += length
        }
    }

    /// `update` for the neurons `range` of a Dense layer (S = 1): the same sums as
    /// `neuron` (each neuron's in sample order, so the same bits), but walking sample by
    /// sample with the neurons side by side, so the adds of different neurons run in
    /// parallel lanes instead of one dependent chain per neuron (a PB candidate step of
    /// the narrow MLP spent as long here as in its matrix products).
    @inline(__always)
    private static func denseNeurons<T: ObjectiveScalar>(
        _ range: Range<Int>, _ stats: Statistics, _ vp: UnsafePointer<T>, _ ep: UnsafePointer<T>,
        _ shape: Shape, _ rates: (v: Double, e: Double),
        _ sinks: Sinks<T>, _ gradientScale: Double, _ out: UnsafeMutablePointer<Double>
    ) {
        let batch = shape.batch, channels = shape.channels, ec = shape.errorChannels
        let n = range.count, lo = range.lowerBound
        let count = Double(batch)
        withUnsafeTemporaryAllocation(of: Sums.self, capacity: n) { sums in
            withUnsafeTemporaryAllocation(of: T.self, capacity: 5 * n) { k in
                // Invariant: n >= 1 (forRanges hands out non-empty ranges), so both allocations have a base.
                // Per neuron: its means of V and E (as T), then its gradient's a, b, k
                // (in `coefficients` when given).
                let sums = sums.baseAddress!, mean = k.baseAddress!
                let ca = sinks.coefficients.map { $0 + lo } ?? mean + 2 * n
                let cb = sinks.coefficients.map { $0 + channels + lo } ?? mean + 3 * n
                let ck = sinks.coefficients.map { $0 + 2 * channels + lo } ?? mean + 4 * n
                sums.initialize(repeating: Sums(), count: n)
                for b in 0..<batch {
                    let v = vp + b * channels + lo
                    runs(from: lo, count: n, errorChannels: ec) { j, column, length in
                        let e = ep + b * ec + column
                        for t in 0..<length { sums[j + t].v += v[j + t].double; sums[j + t].e += e[t].double }
                    }
                }
                for j in 0..<n {
                    let (mV, mE) = means(lo + j, stats, sums[j], count: count, rates)
                    mean[2 * j] = T(double: mV); mean[2 * j + 1] = T(double: mE)
                }
                for b in 0..<batch {
                    let v = vp + b * channels + lo
                    runs(from: lo, count: n, errorChannels: ec) { j, column, length in
                        let e = ep + b * ec + column
                        for t in 0..<length {
                            let dv = v[j + t] - mean[2 * (j + t)], de = e[t] - mean[2 * (j + t) + 1]
                            sums[j + t].cov += (dv * de).double; sums[j + t].vv += (dv * dv).double
                            sums[j + t].ee += (de * de).double
                        }
                    }
                }
                for j in 0..<n {
                    let (score, a, bb, kk) = finish(lo + j, stats, sums[j], count: count, rates, gradientScale)
                    out[lo + j] = score
                    ca[j] = T(double: a); cb[j] = T(double: bb); ck[j] = T(double: kk)
                }
                guard let g = sinks.gradient else { return }
                for b in 0..<batch {
                    let v = vp + b * channels + lo, gr = g + b * channels + lo
                    runs(from: lo, count: n, errorChannels: ec) { j, column, length in
                        let e = ep + b * ec + column
                        for t in 0..<length { gr[j + t] = slope(ca[j + t], cb[j + t], ck[j + t], e: e[t], v: v[j + t]) }
                    }
                }
            }
        }
    }

    /// Neuron c's new running means of V and E from its batch sums.
    @inline(__always)
    private static func means(_ c: Int, _ stats: Statistics, _ sums: Sums, count: Double,
                              _ rates: (v: Double, e: Double)) -> (Double, Double) {
        ((1 - rates.v) * stats.meanV[c] + rates.v * sums.v / count,
         (1 - rates.e) * stats.meanE[c] + rates.e * sums.e / count)
    }

    /// Folds neuron c's batch moments into `stats` and returns S_c with the gradient's
    /// coefficients: dS/dV_p = a E_p + b V_p + k.
    @inline(__always)
    private static func finish(_ c: Int, _ stats: Statistics, _ sums: Sums, count: Double,
                               _ rates: (v: Double, e: Double), _ gradientScale: Double)
        -> (score: Double, a: Double, b: Double, k: Double) {
        let rV = rates.v, rE = rates.e
        let (mV, mE) = means(c, stats, sums, count: count, rates)
        // Means of the deviations follow from the sums (no extra pass).
        let meanDV = sums.v / count - mV, meanDE = sums.e / count - mE
        let cov = sums.cov / count, vv = sums.vv / count, ee = sums.ee / count
        let varV = (1 - rV) * stats.varianceV[c] + rV * vv
        let varE = (1 - rE) * stats.varianceE[c] + rE * ee
        let covRun = (1 - rV) * stats.covariance[c] + rV * cov
        stats.meanV[c] = mV
        stats.meanE[c] = mE
        stats.varianceV[c] = varV
        stats.varianceE[c] = varE
        stats.covariance[c] = covRun

        let sign: Double = covRun < 0 ? -1 : 1
        let sV = max(varV, 1e-30).squareRoot(), sE = max(varE, 0).squareRoot()
        let den = sV * sE + epsilon
        // dS/dV_p = a (dE_p - r mean(dE)) + b (dV_p - r mean(dV)), which is linear in
        // V_p and E_p:  a E_p + b V_p + k.
        let a = gradientScale * sign / (count * den)
        let bb = -gradientScale * sign * cov * sE * rV / (count * sV * den * den)
        let k = -a * (mE + rV * meanDE) - bb * (mV + rV * meanDV)
        return (sign * cov / den, a, bb, k)
    }

    /// The running statistics of `State` as raw columns, one entry per neuron, so
    /// workers can each update their own neurons' entries in place.
    struct Statistics: @unchecked Sendable {
        let meanV, meanE, varianceV, varianceE, covariance: UnsafeMutablePointer<Double>
    }
}

extension CorrelationObjective.State {
    mutating func withStatistics<R>(_ body: (CorrelationObjective.Statistics) -> R) -> R {
        meanV.withUnsafeMutableBufferPointer { mV in
            meanE.withUnsafeMutableBufferPointer { mE in
                varianceV.withUnsafeMutableBufferPointer { vV in
                    varianceE.withUnsafeMutableBufferPointer { vE in
                        covariance.withUnsafeMutableBufferPointer { cov in
                            // Invariant: these buffers belong to non-empty tensors (shapes validated with the experiment, batches of at least one row), so baseAddress is never nil.
                            body(.init(meanV: mV.baseAddress!, meanE: mE.baseAddress!, varianceV: vV.baseAddress!,
                                       varianceE: vE.baseAddress!, covariance: cov.baseAddress!))
                        }
                    }
                }
            }
        }
    }
}

/// Float32 or Float64 data for `CorrelationObjective`, with conversions the compiler
/// resolves statically (generic BinaryFloatingPoint conversions are slow).
public protocol ObjectiveScalar: BinaryFloatingPoint {
    var double: Double { get }
    init(double: Double)
    /// (sum v, sum e) over one row of n values.
    static func rowSums(_ v: UnsafePointer<Self>, _ e: UnsafePointer<Self>, _ n: Int) -> (Self, Self)
    /// (sum dv de, sum dv^2, sum de^2), dv = v - meanV, de = e - meanE, over one row.
    static func rowMoments(_ v: UnsafePointer<Self>, _ e: UnsafePointer<Self>, _ n: Int,
                           meanV: Self, meanE: Self) -> (Self, Self, Self)
}

/// Float32 (training): eight-lane sums, see `LaneSums`.
extension Float: ObjectiveScalar {
    @inlinable public var double: Double { Double(self) }
    @inlinable public init(double: Double) { self = Float(double) }
    public static func rowSums(_ v: UnsafePointer<Float>, _ e: UnsafePointer<Float>, _ n: Int) -> (Float, Float) {
        LaneSums.sums(v, e, n)
    }
    public static func rowMoments(_ v: UnsafePointer<Float>, _ e: UnsafePointer<Float>, _ n: Int,
                                  meanV: Float, meanE: Float) -> (Float, Float, Float) {
        LaneSums.moments(v, e, n, meanV: meanV, meanE: meanE)
    }
}

/// Float64 (the fixed test case): plain sequential sums, exactly as written.
extension Double: ObjectiveScalar {
    @inlinable public var double: Double { self }
    @inlinable public init(double: Double) { self = double }
    public static func rowSums(_ v: UnsafePointer<Double>, _ e: UnsafePointer<Double>, _ n: Int) -> (Double, Double) {
        var sv: Double = 0, se: Double = 0
        for i in 0..<n { sv += v[i]; se += e[i] }
        return (sv, se)
    }
    public static func rowMoments(_ v: UnsafePointer<Double>, _ e: UnsafePointer<Double>, _ n: Int,
                                  meanV: Double, meanE: Double) -> (Double, Double, Double) {
        var c: Double = 0, vv: Double = 0, ee: Double = 0
        for i in 0..<n {
            let dv = v[i] - meanV, de = e[i] - meanE
            c += dv * de; vv += dv * dv; ee += de * de
        }
        return (c, vv, ee)
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

    /// v: [B, C, S], e: [B, errorChannels, S] (default C); channel c reads E's channel
    /// c mod errorChannels, as in `CorrelationObjective.update`.
    public mutating func add(v: UnsafeBufferPointer<Float>, e: UnsafeBufferPointer<Float>,
                             batch: Int, channels: Int, spatial: Int, errorChannels: Int? = nil) {
        let ec = errorChannels ?? channels
        for b in 0..<batch {
            for c in 0..<channels {
                let base = (b * channels + c) * spatial, eBase = (b * ec + c % ec) * spatial
                for s in 0..<spatial {
                    let x = Double(v[base + s]), y = Double(e[eBase + s])
                    sv[c] += x; se[c] += y; svv[c] += x * x; see[c] += y * y; sve[c] += x * y
                }
            }
        }
        n += Double(batch * spatial)
    }

    /// |corr(V_c, E_c)| per neuron (0 where either side is constant).
    public var correlations: [Double] { signedCorrelations.map(abs) }

    /// corr(V_c, E_c) per neuron, with its sign (0 where either side is constant).
    public var signedCorrelations: [Double] {
        (0..<sv.count).map { c in
            guard n > 1 else { return 0 }
            let cov = sve[c] / n - sv[c] / n * se[c] / n
            let vv = svv[c] / n - sv[c] * sv[c] / (n * n)
            let ee = see[c] / n - se[c] * se[c] / (n * n)
            guard vv > 1e-20, ee > 1e-20 else { return 0 }
            return cov / (vv.squareRoot() * ee.squareRoot())
        }
    }
}
