import Foundation
import Synchronization

/// Helper threads that live for the whole process and run the pieces of `Parallel`'s
/// regions.
///
/// One training step of an MNIST-sized network has several parallel regions of 0.05 to
/// 1 ms each, back to back. Waking a pooled thread through the kernel costs tens of
/// microseconds every time (GCD's `concurrentPerform` did), which ate most of the second
/// core's gain on the MLP. So a helper that has just finished a piece keeps watching for
/// the next one for a short while (`spinTime`) before it parks on a condition variable:
/// within a step the hand-off is a cache line changing hands, and an idle process still
/// sleeps.
///
/// One region runs at a time: a thread that finds the pool taken gets `false` from
/// `run` and does the pieces itself, in order (the pieces are the same, so are the bits).
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// How long a helper looks for the next region before it parks.
    static let spinTime: UInt64 = 300_000   // ns

    private let taken = Atomic<Bool>(false)
    /// Bumped once per region; helpers wait for it to change.
    private let generation = Atomic<Int>(0)
    /// Helpers that have not finished the current region.
    private let remaining = Atomic<Int>(0)
    private let parking = NSCondition()
    /// Written by the region's owner before `generation` moves, read by helpers after.
    private var body: ((Int) -> Void)?
    private var helpers = 0

    private init() {}

    /// Runs body(0..<workers) with the calling thread as worker 0; false (and nothing
    /// run) when another region holds the pool.
    func run(_ workers: Int, _ body: (Int) -> Void) -> Bool {
        guard taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        let current = generation.load(ordering: .relaxed)
        while helpers < workers - 1 { startHelper(helpers + 1, seen: current); helpers += 1 }
        withoutActuallyEscaping(body) { body in
            // Every helper joins every region (those past `workers` do nothing), so none
            // can still be reading `body` when the next region writes it.
            self.body = { index in if index < workers { body(index) } }
            remaining.store(helpers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            parking.lock(); parking.broadcast(); parking.unlock()
            body(0)
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                // A helper descheduled by another process: give it our core.
                if spins > 4096 { sched_yield() }
            }
            self.body = nil
        }
        taken.store(false, ordering: .releasing)
        return true
    }

    private func startHelper(_ index: Int, seen: Int) {
        let thread = Thread { [unowned self] in self.helperLoop(index, seen: seen) }
        thread.stackSize = 8 << 20
        thread.name = "dendrite-worker-\(index)"
        thread.start()
    }

    private func helperLoop(_ index: Int, seen start: Int) {
        var seen = start
        while true {
            seen = waitForRegion(after: seen)
            body?(index)
            remaining.subtract(1, ordering: .releasing)
        }
    }

    /// Spins for up to `spinTime`, then sleeps, until the generation moves past `seen`.
    private func waitForRegion(after seen: Int) -> Int {
        let deadline = DispatchTime.now().uptimeNanoseconds + Self.spinTime
        var spins = 0
        while true {
            let now = generation.load(ordering: .acquiring)
            if now != seen { return now }
            spins += 1
            if spins & 1023 == 0 && DispatchTime.now().uptimeNanoseconds > deadline { break }
        }
        parking.lock()
        defer { parking.unlock() }
        while generation.load(ordering: .sequentiallyConsistent) == seen { parking.wait() }
        return generation.load(ordering: .acquiring)
    }
}
