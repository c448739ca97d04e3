import Foundation
import Synchronization

/// Helper threads that live for the whole process and run the shares of `Parallel`'s
/// regions.
///
/// One training step of an MNIST-sized network has several parallel regions of 0.05 to
/// 1 ms each, back to back. Waking a pooled thread through the kernel costs tens of
/// microseconds every time (GCD's `concurrentPerform` did), which ate most of the second
/// core's gain on the MLP. So a helper that has just finished keeps watching for the
/// next region for a short while (`spinTime`) before it parks on a condition variable:
/// within a step the hand-off is a cache line changing hands, and an idle process still
/// sleeps.
///
/// Shares are claimed, not assigned, but each thread first claims *its own* share (the
/// caller share 0, helper i share i) and only then any share still unclaimed. The own
/// share keeps data on one core from region to region: the rows a worker filled are the
/// rows it multiplies next, the weights whose gradient it wrote are the weights it
/// steps. Measured on the MLP at two threads: when the two virtual CPUs sit far apart
/// on the host, every cache line that changes cores costs so much that the memory-bound
/// regions (batch fill, SGD step) ran 4-6x slower with first-come claims. When another
/// process holds the second core, the caller still runs every share itself instead of
/// waiting for a helper that is not running. A share is the same computation whoever
/// runs it, so the bits do not change.
/// One region runs at a time: a thread that finds the pool taken gets `false` from
/// `run` and runs the shares itself, in order.
///
/// A *background job* (`startBackground`) is a region of one share that the caller does
/// not wait for: a helper runs it while the caller goes on with work too small to split.
/// The caller's next region, or `finishBackground`, waits for it first (running it
/// itself if no helper took it), so the job never makes a split region run serially.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long a helper looks for the next region before it parks; after the first
    /// `busySpinTime` it yields the core between looks, so another runnable process (or
    /// our own caller, on a busy machine) is not kept waiting.
    static let spinTime: UInt64 = 200_000        // ns
    static let busySpinTime: UInt64 = 50_000     // ns

    private let taken = Atomic<Bool>(false)
    /// The current region and its claims in one word, so a claim can never land in the
    /// wrong region: generation << 32 | shares << 16 | one bit per claimed share.
    private let state = Atomic<Int>(0)
    /// Shares of the current region that have finished.
    private let done = Atomic<Int>(0)
    private let parking = NSCondition()
    /// Written by the region's owner before `state` moves to its generation; read by a
    /// helper only after it has claimed a share of that generation.
    private var body: ((Int) -> Void)?
    private var helpers = 0
    /// The generation of the running background job, -1 when there is none.
    private let background = Atomic<Int>(-1)

    private init() {}

    private static func generation(_ word: Int) -> Int { word >> 32 }

    /// Most shares in one region: one claim bit each in the state word.
    static let maxShares = 16

    /// Runs body(0..<shares), the calling thread taking part; false (and nothing run)
    /// when another region holds the pool.
    func run(_ shares: Int, _ body: (Int) -> Void) -> Bool {
        // Invariant: shares is a worker count, which Parallel.workers caps at maxShares.
        precondition(shares <= Self.maxShares, "\(shares) shares in one parallel region")
        finishBackground()
        return withoutActuallyEscaping(body) { body in
            guard let generation = publish(shares, helpers: shares - 1, background: false, body) else { return false }
            work(generation, own: 0)
            spin { done.load(ordering: .acquiring) >= shares }
            self.body = nil
            taken.store(false, ordering: .releasing)
            return true
        }
    }

    /// Starts `job` on a helper and returns at once; false (and nothing started) when a
    /// region holds the pool. Whoever runs the job frees the pool when it ends; read what
    /// it wrote only after `finishBackground` (every `run` calls it first). The job must
    /// not start regions of its own: `run` would wait for the job it is part of.
    func startBackground(_ job: @escaping () -> Void) -> Bool {
        publish(1, helpers: 1, background: true) { _ in job() } != nil
    }

    /// Takes the pool for a region of `shares` running `body`, with at least `needed`
    /// helpers (pinning the caller when it will have company), and wakes the helpers;
    /// returns the region's generation, or nil (nothing published) when another region
    /// holds the pool.
    private func publish(_ shares: Int, helpers needed: Int, background isBackground: Bool,
                         _ body: @escaping (Int) -> Void) -> Int? {
        guard taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return nil
        }
        // 31 bits, wrapping: a long run starts billions of regions.
        let generation = (Self.generation(state.load(ordering: .relaxed)) + 1) & 0x7FFF_FFFF
        while helpers < needed { startHelper(helpers + 1); helpers += 1 }
        if needed > 0 { CorePinning.pinCallerIfDue() }
        self.body = body
        done.store(0, ordering: .relaxed)
        if isBackground { background.store(generation, ordering: .relaxed) }
        state.store(generation << 32 | shares << 16, ordering: .sequentiallyConsistent)
        parking.lock(); parking.broadcast(); parking.unlock()
        return generation
    }

    /// Waits for a running background job, running it on this thread if no helper has
    /// taken it yet; returns at once when there is none.
    func finishBackground() {
        let generation = background.load(ordering: .acquiring)
        guard generation >= 0 else { return }
        work(generation, own: 0)
        spin { background.load(ordering: .acquiring) != generation }
    }

    /// Waits until `ready()`; after a while it yields the core between looks, since the
    /// helper being waited for may have been descheduled.
    private func spin(until ready: () -> Bool) {
        var spins = 0
        while !ready() {
            spins += 1
            if spins > 4096 { sched_yield() }
        }
    }

    /// Claims and runs shares of region `generation` until none is left: share `own`
    /// first when it is in the region, then the lowest unclaimed one.
    private func work(_ generation: Int, own: Int) {
        var word = state.load(ordering: .acquiring)
        while Self.generation(word) == generation {
            let shares = (word >> 16) & 0xFFFF, claimed = word & 0xFFFF
            let free = ~claimed & ((1 << shares) - 1)
            if free == 0 { return }
            let share = own < shares && free & (1 << own) != 0 ? own : free.trailingZeroBitCount
            let (won, now) = state.compareExchange(expected: word, desired: word | 1 << share, ordering: .acquiringAndReleasing)
            if won {
                body?(share)
                done.add(1, ordering: .releasing)
                if background.load(ordering: .relaxed) == generation {
                    // A background job frees the pool itself: nobody waits to.
                    body = nil
                    taken.store(false, ordering: .releasing)
                    // Only if no new job has started since (generations are unique).
                    _ = background.compareExchange(expected: generation, desired: -1, ordering: .releasing)
                    return
                }
                word = state.load(ordering: .acquiring)
            } else {
                word = now
            }
        }
    }

    private func startHelper(_ index: Int) {
        let start = Self.generation(state.load(ordering: .relaxed))
        let thread = Thread { [unowned self] in
            var seen = start, pinned = false
            while true {
                seen = waitForRegion(after: seen)
                // Once the run asks for it, stay on a core of our own (`CorePinning`).
                if !pinned { pinned = CorePinning.pinHelper(index) }
                work(seen, own: index)
            }
        }
        thread.stackSize = 8 << 20
        thread.name = "dendrite-worker-\(index)"
        thread.start()
    }

    /// Spins for up to `spinTime`, then sleeps, until a region after `seen` starts.
    private func waitForRegion(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0, yielding = false
        while true {
            let now = Self.generation(state.load(ordering: .acquiring))
            if now != seen { return now }
            if yielding { sched_yield() }
            spins += 1
            if spins & 255 == 0 {
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                if elapsed > Self.spinTime { break }
                yielding = elapsed > Self.busySpinTime
            }
        }
        parking.lock()
        defer { parking.unlock() }
        while Self.generation(state.load(ordering: .sequentiallyConsistent)) == seen { parking.wait() }
        return Self.generation(state.load(ordering: .acquiring))
    }
}
