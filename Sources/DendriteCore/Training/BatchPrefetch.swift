/// The next batch of an epoch, filled on a helper core while the current step runs the
/// layers that do not split (the output layer, the loss), when the first neuron layer
/// splits its product over two or more workers.
///
/// Why: converting a shuffled batch is memory-bound and got no faster on two cores (the
/// rows one core writes were last read by the other, docs/benchmarks.md "What is left on
/// the MLP"), while the second core idles through the step's small layers. Filled there,
/// the batch costs the step nothing. The batch holds the same values whoever fills it,
/// so the bits of a run do not change.
final class BatchPrefetch: @unchecked Sendable {
    private var x = Tensor.empty
    private var y: [Int32] = []
    /// The batch the buffers hold or are being filled with: (epoch, batch in epoch).
    private var holds: (epoch: Int, batch: Int)?

    /// Batches handed out by `take` (tests check that the fill really moved).
    private(set) var taken = 0

    /// Starts filling batch `batch` of `epoch` (samples `indices` of `data`) on a helper;
    /// false when the pool is busy (another thread's region).
    func start(_ data: Dataset, indices: ArraySlice<Int>, epoch: Int, batch: Int) -> Bool {
        WorkerPool.shared.finishBackground()
        holds = nil
        // Whoever runs the fill (a helper, or this thread in `finishBackground`), it ends
        // before `take` or `discard` returns.
        let started = WorkerPool.shared.startBackground { [self] in
            data.fill(indices: indices, into: &x, labels: &y, parallel: false)
        }
        if started { holds = (epoch, batch) }
        return started
    }

    /// Swaps the prefetched batch into `x` and `y` when it is batch `batch` of `epoch`
    /// (waiting for its fill to end); false, leaving them alone, otherwise.
    func take(epoch: Int, batch: Int, into x: inout Tensor, labels y: inout [Int32]) -> Bool {
        WorkerPool.shared.finishBackground()
        guard let h = holds, h == (epoch, batch) else { return false }
        holds = nil
        taken += 1
        swap(&x, &self.x)
        swap(&y, &self.y)
        return true
    }

    /// Forgets the batch (the sample order changed); waits for a fill still running.
    func discard() {
        WorkerPool.shared.finishBackground()
        holds = nil
    }
}
