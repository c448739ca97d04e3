import Foundation

/// Splitting a layer's work over the cores the user gave OpenBLAS (`BLAS.threads`).
///
/// Batch-128 products of MNIST-sized layers are too small for OpenBLAS to split well,
/// and its threads do nothing for im2col, copies and col2im. So a layer that can cut
/// its work into independent pieces (Conv2D: chunks of the batch) runs `workers` of
/// them at once, each calling a single-threaded sgemm, and OpenBLAS is held to one
/// thread for the duration. No sum is ever split between workers, so a given worker
/// count always gives the same bits; but Dense cuts one block per worker, and OpenBLAS
/// rounds blocks of different heights differently, so 1 and 2 threads can differ in the
/// last bits (docs/reliability.md).
enum Parallel {
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var savedThreads = 1
    private static let lock = NSLock()

    /// How many workers to use for `pieces` independent pieces of work: 1 while a
    /// parallel region is already running (nested, or another thread's), else up to
    /// `BLAS.threads`.
    static func workers(for pieces: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        return depth > 0 ? 1 : max(1, min(pieces, BLAS.threads))
    }

    /// Elementwise work below this many floats per worker is not worth a thread hop.
    static let minimumElementsPerWorker = 32 * 1024

    /// Splits 0..<count into contiguous ranges, one per worker, and runs them at once;
    /// `cost` is the number of floats one index touches (for the size threshold).
    static func forRanges(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let pieces = count * max(cost, 1) / minimumElementsPerWorker
        let workers = pieces > 1 ? workers(for: min(pieces, count)) : 1
        if workers <= 1 { body(0..<count); return }
        let per = (count + workers - 1) / workers
        run(workers) { w in
            let lo = min(count, w * per), hi = min(count, lo + per)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Runs `body(worker, piece)` for every piece in 0..<pieces on `workers` workers,
    /// handing the pieces out in order to whichever worker is free, so one slowed down by
    /// another process on its core simply takes fewer.
    static func forEachPiece(_ pieces: Int, workers: Int, _ body: (_ worker: Int, _ piece: Int) -> Void) {
        if workers <= 1 {
            for piece in 0..<pieces { body(0, piece) }
            return
        }
        let counter = PieceCounter()
        run(workers) { worker in
            while let piece = counter.take(below: pieces) { body(worker, piece) }
        }
    }

    /// Runs `body(worker)` for every worker in 0..<workers concurrently (inline when 1).
    static func run(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 { body(0); return }
        lock.lock()
        if depth == 0 { savedThreads = BLAS.threads; BLAS.threads = 1 }
        depth += 1
        lock.unlock()
        // The workers touch disjoint parts of buffers the caller owns for the whole call,
        // which the type system cannot see: hence the unchecked box.
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { box.value($0) }
        }
        lock.lock()
        depth -= 1
        if depth == 0 { BLAS.threads = savedThreads }
        lock.unlock()
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The next piece of work to hand out.
private final class PieceCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func take(below count: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
