import Synchronization

/// Where a run went non-finite. Checked after every optimisation step, so a NaN or an
/// infinity is caught in the batch that produced it, before it reaches a checkpoint.
public struct Divergence: Equatable, Sendable {
    /// Epoch (from 1) and batch within it (from 1) whose step went non-finite.
    public var epoch: Int
    public var batch: Int
    /// Name of the first non-finite parameter in network order, or "loss" when the loss
    /// was non-finite but every parameter still finite.
    public var layer: String
    public var loss: Float

    public var message: String {
        let what = layer == "loss" ? "the loss is \(loss)" : "parameter \(layer) is not finite (batch loss \(loss))"
        return "training diverged at epoch \(epoch), batch \(batch): \(what); lower the learning rate"
    }

    /// Nil when the loss and every parameter are finite. The parameter scan costs one
    /// read of the weights (no allocation), a small fraction of the step that wrote them.
    static func check(loss: Float, parameters: [Parameter], epoch: Int, batch: Int) -> Divergence? {
        for p in parameters where !allFinite(p.value) {
            return Divergence(epoch: epoch, batch: batch, layer: p.name, loss: loss)
        }
        guard loss.isFinite else { return Divergence(epoch: epoch, batch: batch, layer: "loss", loss: loss) }
        return nil
    }

    /// True when no element is NaN or infinite: x - x is 0 for finite x and NaN otherwise,
    /// so running sums of it stay 0 exactly when every element is finite. Four
    /// independent eight-lane sums: one would be a chain of dependent adds, and this scan
    /// runs after every step (17 us of a 0.35 ms MLP step at two threads). Large tensors
    /// are split over `Parallel`'s workers in contiguous blocks, as the optimizer splits
    /// its step (the same blocks when both use the same number of workers, as two
    /// threads on an MLP layer do), so each core reads back the rows it has just written
    /// instead of pulling the other core's half across. The answer does not depend on
    /// the split.
    static func allFinite(_ t: Tensor) -> Bool {
        t.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return true }
            let finite = Atomic<Bool>(true)
            Parallel.forRanges(b.count, cost: 1) { r in
                if !rangeFinite(base + r.lowerBound, r.count) { finite.store(false, ordering: .relaxed) }
            }
            return finite.load(ordering: .relaxed)
        }
    }

    private static func rangeFinite(_ base: UnsafePointer<Float>, _ n: Int) -> Bool {
        func load(_ i: Int) -> SIMD8<Float> { UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self) }
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= n {
            let v0 = load(i), v1 = load(i + 8), v2 = load(i + 16), v3 = load(i + 24)
            a0 += v0 - v0; a1 += v1 - v1; a2 += v2 - v2; a3 += v3 - v3
            i += 32
        }
        var acc = (a0 + a1) + (a2 + a3)
        while i + 8 <= n {
            let v = load(i)
            acc += v - v
            i += 8
        }
        var tail: Float = 0
        while i < n { tail += base[i] - base[i]; i += 1 }
        return acc.sum() == 0 && tail == 0
    }
}
