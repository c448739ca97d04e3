import Foundation
import Synchronization

/// Splitting a layer's work over the cores the user gave OpenBLAS (`BLAS.threads`).
///
/// Batch-128 products of MNIST-sized layers are too small for OpenBLAS to split well,
/// and its threads do nothing for im2col, copies, col2im or the dendrite loops. So a
/// layer that can cut its work into independent pieces (Conv2D: chunks of the batch;
/// the dendrite kernels: samples or neurons) runs `workers` of them at once on
/// `WorkerPool`'s threads, each calling a single-threaded sgemm, and OpenBLAS is held to
/// one thread for the duration. No sum is ever split between workers in a way that
/// depends on timing, so a given worker count always gives the same bits; but Dense cuts
/// one block per worker, and OpenBLAS rounds blocks of different heights differently, so
/// 1 and 2 threads can differ in the last bits (docs/reliability.md).
enum Parallel {
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var savedThreads = 1
    private static let lock = NSLock()

    /// How many workers to use for `pieces` independent pieces of work: up to the
    /// user's `BLAS.threads` (OpenBLAS's own setting reads 1 while a region runs) and at
    /// most `WorkerPool.maxShares` (more threads than that split no further). The
    /// count never depends on what else is running: a region that finds the pool taken
    /// (nested, or another thread's) runs the same pieces one after another.
    static func workers(for pieces: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        return max(1, min(pieces, depth > 0 ? savedThreads : BLAS.threads, WorkerPool.maxShares))
    }

    /// Elementwise work below this many floats per worker is not worth a thread hop.
    static let minimumElementsPerWorker = 32 * 1024

    /// Splits 0..<count into contiguous ranges, one per worker, and runs them at once;
    /// `cost` is the number of floats one index touches (for the size threshold).
    static func forRanges(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
        let pieces = count * max(cost, 1) / minimumElementsPerWorker
        let workers = pieces > 1 ? workers(for: min(pieces, count)) : 1
        if workers <= 1 { body(0..<count); return }
        run(workers) { w in
            let r = block(count, w, of: workers)
            if !r.isEmpty { body(r) }
        }
    }

    /// Worker `w`'s share of 0..<n: contiguous blocks of equal length (a multiple of
    /// `multipleOf`, so that sgemm's vector loads stay aligned), the last one shorter.
    @inline(__always)
    static func block(_ n: Int, _ w: Int, of workers: Int, multipleOf unit: Int = 1) -> Range<Int> {
        let per = ((n + workers - 1) / workers + unit - 1) / unit * unit, lo = min(n, w * per)
        return lo..<min(n, lo + per)
    }

    /// Runs `body(worker, piece)` for every piece in 0..<pieces on `workers` workers.
    /// Each worker first takes the pieces of its own contiguous block (worker w the w-th
    /// share, as `block` cuts it), lowest first, and only then any piece still untaken,
    /// so one slowed down by another process on its core simply takes fewer. Own blocks
    /// keep a piece on the same core from forward to backward (Conv2D's chunk columns,
    /// the rows of the batch the same worker filled): when the host places the two
    /// virtual CPUs far apart, every cache line that changes cores is expensive
    /// (WorkerPool). Which worker runs a piece never changes what the piece computes.
    static func forEachPiece(_ pieces: Int, workers: Int, _ body: (_ worker: Int, _ piece: Int) -> Void) {
        if workers <= 1 {
            run(1) { _ in for piece in 0..<pieces { body(0, piece) } }
            return
        }
        // One claim bit per piece in one word when the pieces fit; else a shared counter.
        guard pieces <= UInt.bitWidth else {
            let counter = Atomic<Int>(0)
            run(workers) { worker in
                while true {
                    let piece = counter.add(1, ordering: .relaxed).oldValue
                    if piece >= pieces { break }
                    body(worker, piece)
                }
            }
            return
        }
        let claimed = Atomic<UInt>(0), all = Self.lowBits(pieces)
        run(workers) { worker in
            let own = block(pieces, worker, of: workers)
            let ownMask = Self.lowBits(own.count) << own.lowerBound
            var word = claimed.load(ordering: .relaxed)
            while true {
                let free = ~word & all
                if free == 0 { break }
                let mine = free & ownMask
                let piece = (mine != 0 ? mine : free).trailingZeroBitCount
                let (won, now) = claimed.compareExchange(expected: word, desired: word | 1 << UInt(piece),
                                                         ordering: .relaxed)
                if won {
                    body(worker, piece)
                    word = claimed.load(ordering: .relaxed)
                } else {
                    word = now
                }
            }
        }
    }

    /// A mask of the lowest `n` bits, n in 0...UInt.bitWidth.
    private static func lowBits(_ n: Int) -> UInt { n >= UInt.bitWidth ? ~0 : (1 << UInt(n)) - 1 }

    /// Runs `body(worker)` for every worker in 0..<workers concurrently (inline when 1).
    /// When another thread's region holds the pool, the workers' shares run one after
    /// another here instead: the same pieces, so the same bits.
    /// OpenBLAS is held to one thread even for a region of one worker: products too
    /// small to split are also too small for OpenBLAS's own threads, which would only
    /// wake up to slow them down (the narrow rows of docs/benchmarks.md).
    static func run(_ workers: Int, _ body: (Int) -> Void) {
        if workers <= 1 && BLAS.threads == 1 { body(0); return }
        lock.lock()
        if depth == 0 { savedThreads = BLAS.threads; BLAS.threads = 1 }
        depth += 1
        lock.unlock()
        if workers <= 1 {
            body(0)
        } else if !WorkerPool.shared.run(workers, body) {
            for w in 0..<workers { body(w) }
        }
        lock.lock()
        depth -= 1
        if depth == 0 { BLAS.threads = savedThreads }
        lock.unlock()
    }
}
