/// One pass over `samples` samples in batches of `size`: batch `i` covers positions
/// `i * size ..< min((i + 1) * size, samples)` of the pass's sample order, so only the last
/// batch may be smaller. Training steps through it one batch at a time; evaluation and the
/// candidates' correlation measurement walk it whole with `Dataset.forEachBatch`.
public struct Batches: Sequence, Equatable, Sendable {
    public let samples: Int
    public let size: Int

    public init(samples: Int, size: Int) {
        // Invariant: batch sizes are validated (Experiment.validate) or constants of the engine.
        precondition(size > 0, "batch size must be positive, got \(size)")
        self.samples = Swift.max(samples, 0)
        self.size = size
    }

    /// Number of batches: the last one takes the remainder.
    public var batchCount: Int { (samples + size - 1) / size }

    /// Positions in the sample order that batch `i` covers.
    public func range(_ i: Int) -> Range<Int> {
        let start = i * size
        return start..<Swift.min(start + size, samples)
    }

    public func makeIterator() -> Iterator { Iterator(batches: self) }

    public struct Iterator: IteratorProtocol {
        let batches: Batches
        var index = 0

        public mutating func next() -> Range<Int>? {
            guard index < batches.batchCount else { return nil }
            defer { index += 1 }
            return batches.range(index)
        }
    }
}

extension Dataset {
    /// Calls `body` with every batch of `size` samples, in `order` (positions into the
    /// dataset) when given, else in index order. The inputs ([n, sampleShape...]) and labels
    /// live in buffers reused from batch to batch, so the walk allocates nothing per batch
    /// beyond a different-sized last one; they are valid only during the call.
    public func forEachBatch(size: Int, order: [Int]? = nil, _ body: (_ x: Tensor, _ labels: [Int32]) -> Void) {
        var x = Tensor.empty
        var y: [Int32] = []
        for r in Batches(samples: order?.count ?? count, size: size) {
            if let order { fill(indices: order[r], into: &x, labels: &y) } else { fill(indices: r, into: &x, labels: &y) }
            body(x, y)
        }
    }
}
