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
    /// so eight running sums of it stay 0 exactly when every element is finite.
    static func allFinite(_ t: Tensor) -> Bool {
        t.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return true }
            let n = b.count
            var acc = SIMD8<Float>()
            var i = 0
            while i + 8 <= n {
                let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
                acc += v - v
                i += 8
            }
            var tail: Float = 0
            while i < n { tail += base[i] - base[i]; i += 1 }
            return acc.sum() == 0 && tail == 0
        }
    }
}
