import DendriteCore
import Foundation

/// Per-layer time split of one training step (`--profile`): the same calls Network and
/// Trainer make, timed one layer at a time over `batches` batches of 128 after a short
/// warm-up. Milliseconds per batch.
func profile(_ workload: Workload, threads: Int, train: Dataset, batches: Int) {
    BLAS.threads = threads
    CorePinning.pinTrainingThreads()   // as `train` does
    let trainer = makeTrainer(workload, train: train, validation: train.subset(Array(0..<128), name: "v"), epochs: 1)
    let network = trainer.network
    let candidates = trainer.candidates
    let optimizer = SGD(learningRate: 0.1)
    var loss = SoftmaxCrossEntropy()
    var x = Tensor.empty
    var y: [Int32] = []
    let n = network.layers.count
    // Index 0..<n forward, n..<2n backward, then fill, loss, step.
    var sum = [Double](repeating: 0, count: 2 * n + 3)
    var best = [Double](repeating: .infinity, count: 2 * n + 3)
    let fill = 2 * n, lossSlot = 2 * n + 1, stepSlot = 2 * n + 2
    let order = Array(0..<train.count)
    func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }
    for b in 0..<(batches + 5) {
        let timed = b >= 5
        var t = clock()
        func lap(_ slot: Int) {
            let now = clock()
            if timed { sum[slot] += now - t; best[slot] = min(best[slot], now - t) }
            t = now
        }
        let start = (b * 128) % (train.count - 128)
        train.fill(indices: order[start..<(start + 128)], into: &x, labels: &y)
        lap(fill)
        var h = x
        for i in 0..<n { h = network.layers[i].forward(h, training: true); lap(i) }
        _ = loss.forward(logits: h, labels: y[...])
        h = .empty
        lap(lossSlot)
        var g = loss.gradient
        for i in stride(from: n - 1, through: 0, by: -1) { g = network.layers[i].backward(g); lap(n + i) }
        g = .empty
        if let candidates { candidates.step() } else { optimizer.step(network.parameters) }
        lap(stepSlot)
    }
    let k = Double(batches)
    func ms(_ slot: Int) -> String { String(format: "%7.3f /%7.3f", sum[slot] / k, best[slot]) }
    print("\nprofile \(workload.name), \(threads) thread(s), ms per batch of 128 (mean / fastest):")
    print("  data fill".padding(toLength: 30, withPad: " ", startingAt: 0) + "      " + ms(fill))
    for i in 0..<n {
        let l = network.layers[i]
        print("  \(l.kind) \(network.shapes[i])".padding(toLength: 30, withPad: " ", startingAt: 0)
              + "fwd " + ms(i) + "   bwd " + ms(n + i))
    }
    print("  loss".padding(toLength: 30, withPad: " ", startingAt: 0) + "      " + ms(lossSlot))
    print((candidates == nil ? "  sgd step" : "  candidate objective + Adam").padding(toLength: 30, withPad: " ", startingAt: 0) + "      " + ms(stepSlot))
    let total = sum.reduce(0, +) / k, fastest = best.reduce(0, +)
    print(String(format: "  total %.3f ms (%.0f samples/s); sum of fastest %.3f ms (%.0f samples/s)",
                 total, 128_000 / total, fastest, 128_000 / fastest))
    // The same number of batches through Trainer.stepBatch: what the table's rows time.
    // The gap to the total above is the step's serial bookkeeping (divergence scan,
    // accuracy count, events) plus the epoch ends that fall inside.
    for _ in 0..<5 { trainer.stepBatch() }
    let t0 = clock()
    for _ in 0..<batches { trainer.stepBatch() }
    let stepped = (clock() - t0) / k
    print(String(format: "  Trainer.stepBatch %.3f ms (%.0f samples/s): %.3f ms more than the total above",
                 stepped, 128_000 / stepped, stepped - total))
}
