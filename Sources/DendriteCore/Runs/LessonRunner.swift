/// Trains a lesson step headless, the way the Lab would if left playing, up to the
/// step's moment, and measures what the step's expectations talk about. This is how a
/// lesson's "what you should see" is held true of the engine.
public enum LessonRunner {
    /// A measured value: a number, or text for the phase and the error's quadrant signs.
    public enum Value: Sendable, Equatable, CustomStringConvertible {
        case number(Double), text(String)
        public var description: String {
            switch self {
            case .number(let v): return String(format: "%.3f", v)
            case .text(let s): return "\"\(s)\""
            }
        }
    }

    /// Measured at a step's moment.
    public struct Outcome: Sendable {
        public var step: Int
        public var title: String
        public var measured: [LessonExpectation.Metric: Value]
        /// Expectations that did not hold, as "file:line: ..." sentences.
        public var failures: [String]
        public var epochs: Int
        public var parameters: Int
    }

    /// Runs step `index` (0-based) of `lesson` until its moment (at most its epoch budget).
    public static func run(_ lesson: Lesson, step index: Int) throws -> Outcome {
        let step = lesson.steps[index]
        let session = try ExperimentSession(step.experiment)
        let t = session.trainer
        var tracker = LessonMomentTracker(moment: step.moment, budget: step.experiment.epochs)
        while !tracker.observe(epoch: t.epoch, phase: t.phase, dendrites: session.network.dendriteCount, finished: t.isFinished) {
            if t.isFinished { break }
            t.runEpoch()
        }
        let measured = measure(network: session.network, trainer: t, train: session.data.train,
                               validation: session.data.validation, test: session.data.test, selection: step.selection)
        var failures = step.expectations.compactMap { e -> String? in
            failure(e, measured[e.metric]).map { "\(lesson.file):\(e.line): step \(index + 1) '\(step.title)' \($0)" }
        }
        if !tracker.reached && !step.moment.isEnd {
            failures.append("\(lesson.file):\(step.line): step \(index + 1) '\(step.title)' never reached its moment (\(step.moment.description)) within \(step.experiment.epochs) epochs")
        }
        return Outcome(step: index + 1, title: step.title, measured: measured, failures: failures,
                       epochs: t.epoch, parameters: session.network.parameterCount)
    }

    /// Why `e` does not hold for `value` (nil when it holds).
    public static func failure(_ e: LessonExpectation, _ value: Value?) -> String? {
        switch value {
        case .number(let v)?: return e.holds(for: v) ? nil : "expects \(e) but measured \(Value.number(v))"
        case .text(let s)?: return e.holds(text: s) ? nil : "expects \(e) but measured \"\(s)\""
        case nil: return "expects \(e) but it cannot be measured here"
        }
    }

    /// Every metric of `LessonExpectation.Metric` for a network in training; the
    /// neuron-level ones for `selection` (default: the first output unit).
    public static func measure(network: Network, trainer: Trainer, train: Dataset, validation: Dataset, test: Dataset?,
                               selection: LessonSelection?) -> [LessonExpectation.Metric: Value] {
        var m: [LessonExpectation.Metric: Value] = [
            .trainAccuracy: .number(Double(Trainer.evaluate(network, on: train).accuracy)),
            .validationAccuracy: .number(Double(Trainer.evaluate(network, on: validation).accuracy)),
            .dendrites: .number(Double(network.dendriteCount)),
            .parameters: .number(Double(network.parameterCount)),
            .phase: .text(trainer.phase == .dendrite ? "P" : "N"),
        ]
        if let test, test.count > 0 { m[.testAccuracy] = .number(Double(Trainer.evaluate(network, on: test).accuracy)) }
        let neuronLayers = network.layers.indices.filter { network.layers[$0] is NeuronLayer || network.layers[$0] is PerforatedLayer }
        let s = selection ?? LessonSelection()
        let li = s.layer.map { $0 - 1 } ?? neuronLayers.count - 1
        guard li >= 0, li < neuronLayers.count, train.sampleSize == 2, case .float(let points) = train.features else { return m }
        let layer = neuronLayers[li]
        let units = network.shapes[layer].reduce(1, *)
        guard s.unit < units else { return m }
        // The selected neuron's error over the training set.
        let x = Tensor(shape: [train.count, 2], points)
        if let all = NeuronProbe.errors(of: network, x: x, labels: train.labels)[layer] {
            let e = (0..<train.count).map { all[$0 * units + s.unit] }
            m[.errorSize] = .number(Double(e.reduce(0) { $0 + abs($1) }) / Double(max(e.count, 1)))
            let q = NeuronProbe.quadrantMeans(e, points: points)
            m[.errorQuadrants] = .text(q.map { abs($0) < 0.05 ? "0" : $0 > 0 ? "+" : "-" }.joined(separator: " "))
            m[.inputCorrelation] = .number((0..<2).map { i in
                abs(pearson(e, (0..<train.count).map { points[2 * $0 + i] }))
            }.max() ?? 0)
        }
        let branch: Int? = switch s.branch {
        case .dendrite(let j)?: j
        case nil: 0
        case .candidate?: nil
        }
        if let j = branch, let perforated = network.layers[layer] as? PerforatedLayer,
           let v = branchOutputs(network, layer: perforated, x: x, unit: s.unit, set: j) {
            m[.branchAccuracy] = .number(bestThresholdAccuracy(v, labels: train.labels))
        }
        if let perforated = network.layers[layer] as? PerforatedLayer, !perforated.dendrites.isEmpty {
            let name = li == 0 ? "x" : "h"
            m[.branchInputs] = .text(perforated.dendrites.indices.map { d in
                perforated.sampledInputs(set: d, neuron: s.unit).map { $0.map { "\(name)\($0 + 1)" }.joined(separator: " ") } ?? "all"
            }.joined(separator: " | "))
        }
        let grid = NeuronProbe.gridPoints(resolution: 48, extent: 1.3)
        let logits = network.forward(Tensor(shape: [grid.count / 2, 2], grid), training: false)
        let (p, k) = NeuronProbe.classProbabilities(logits: logits)
        m[.surfaceSpread] = .number(NeuronProbe.surfaceSpread(probabilities: p, classes: k))
        if let perforated = network.layers[layer] as? PerforatedLayer,
           let r = trainer.candidates?.runningCorrelations(of: perforated), s.unit < r.count {
            m[.candidateCorrelation] = .number(r[s.unit])
        } else {
            m[.candidateCorrelation] = .number(0)
        }
        return m
    }

    /// v of dendrite set `j` of neuron `unit` for every row of `x` (a forward pass of the
    /// whole network), or nil when the layer has no such set or is not a dense layer.
    static func branchOutputs(_ network: Network, layer p: PerforatedLayer, x: Tensor, unit: Int, set j: Int) -> [Float]? {
        guard j >= 0, j < p.dendrites.count, unit < p.neuronCount else { return nil }
        _ = network.forward(x, training: false)
        let v = p.dendriteOutputs, d = p.dendrites.count, c = p.neuronCount
        guard p.spatial == 1, v.count == x.rows * d * c else { return nil }
        return (0..<x.rows).map { v[($0 * d + j) * c + unit] }   // v: [B, D, C]
    }

    /// The accuracy of the best rule "class 1 iff value > t" or "iff value < t" over all
    /// thresholds t (cuts only between distinct values, so ties fall one way); labels 0/1.
    static func bestThresholdAccuracy(_ values: [Float], labels: [Int32]) -> Double {
        let n = min(values.count, labels.count)
        guard n > 0 else { return 0 }
        let order = (0..<n).sorted { values[$0] < values[$1] }
        let ones = (0..<n).reduce(0) { $0 + (labels[$1] == 1 ? 1 : 0) }
        // Cut before sorted position k: below it predicted 0, from it on predicted 1.
        var best = max(ones, n - ones), onesBelow = 0
        for k in 1..<max(n, 1) {
            onesBelow += labels[order[k - 1]] == 1 ? 1 : 0
            guard values[order[k]] > values[order[k - 1]] else { continue }
            let upward = (k - onesBelow) + (ones - onesBelow)   // zeros below + ones above
            best = max(best, upward, n - upward)
        }
        return Double(best) / Double(n)
    }

    static func pearson(_ a: [Float], _ b: [Float]) -> Double {
        let n = Double(min(a.count, b.count))
        guard n > 1 else { return 0 }
        var sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0, sab = 0.0
        for i in 0..<Int(n) {
            let x = Double(a[i]), y = Double(b[i])
            sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y
        }
        let cov = sab / n - sa / n * sb / n
        let va = saa / n - sa * sa / (n * n), vb = sbb / n - sb * sb / (n * n)
        guard va > 1e-20, vb > 1e-20 else { return 0 }
        return cov / (va.squareRoot() * vb.squareRoot())
    }

    /// Runs every step that states an expectation.
    public static func check(_ lesson: Lesson) throws -> [Outcome] {
        try lesson.steps.indices.filter { !lesson.steps[$0].expectations.isEmpty }.map { try run(lesson, step: $0) }
    }
}

/// Follows a run epoch by epoch and says when a step's moment has come: the runner
/// stops there, and the Lab pauses there.
public struct LessonMomentTracker: Sendable {
    public let moment: LessonMoment
    public let budget: Int
    private var lastPhase: Phase = .neuron
    private var phasesSeen = 0
    private var eventEpoch: Int?
    public private(set) var reached = false

    public init(moment: LessonMoment, budget: Int) {
        self.moment = moment
        self.budget = budget
    }

    /// Call at every epoch boundary (and at the start); true once the moment has come.
    /// A run that `finished` early (the switching rule stopped it) has reached the end.
    public mutating func observe(epoch: Int, phase: Phase, dendrites: Int, finished: Bool = false) -> Bool {
        if phase == .dendrite && lastPhase != .dendrite {
            phasesSeen += 1
            if phasesSeen == moment.dendritePhase { eventEpoch = epoch }
        }
        lastPhase = phase
        if let d = moment.dendrites, dendrites >= d, eventEpoch == nil { eventEpoch = epoch }
        let due: Bool
        if moment.dendritePhase != nil || moment.dendrites != nil {
            due = eventEpoch.map { epoch - $0 >= (moment.epochs ?? 0) } ?? false
        } else {
            due = epoch >= (moment.epochs ?? budget) || (moment.epochs == nil && finished)
        }
        if due { reached = true }
        return due
    }
}
