import Foundation
import DendriteCore

/// Playing a lesson: going to a step, the step's moment (where play pauses, the step's
/// selection is applied and its goals are judged), the live measurements its goals
/// show, and the auto speed that plays a step in seconds.
extension LabController {
    /// Shows lesson step `index` and trains its experiment from the start (its seed, so
    /// the same initial weights every visit). Out-of-range indices stay put and say why.
    public func goToStep(_ index: Int) {
        guard let lesson, !lesson.steps.isEmpty else { return }
        guard index >= 0 else { state.say("This is the first step."); return }
        guard index < lesson.steps.count else { state.say("This is the last step of the lesson."); return }
        let step = lesson.steps[index]
        session.reconfigure { $0 = LabConfig(experiment: step.experiment) }
        stepDebt = 0
        pausedAtStepEpochs = false
        eventsShown = 0
        state.stepIndex = index
        state.lessonScroll = 0
        state.lessonMaxScroll = 0
        state.selected = nil
        if step.showsInspector { state.showInspector = true }
        startMoment()
        applyLessonSelection()
        if case .neuron = state.hovered { state.hovered = nil }
        state.say("Step \(index + 1) of \(lesson.steps.count): \(step.title) (training restarted)")
    }

    /// Auto speed: enough batches per frame that the whole run (the step's epoch budget,
    /// or 300 epochs in the playground) plays in about `autoSeconds` at the measured
    /// frame rate, so a 40-epoch
    /// lesson is watchable and a 5000-epoch one still ends in seconds; `tick`'s time
    /// budget caps it further on a slow machine.
    public var autoBatchesPerFrame: Int {
        // Seconds, not frames: when drawing slows the frame rate, each frame trains more.
        let rate = fps > 0 ? max(10, min(60, fps)) : 60
        return max(1, Int((autoBatchesPerSecond / rate).rounded(.up)))
    }

    /// The run's batches over `autoSeconds`: auto speed on the training thread.
    public var autoBatchesPerSecond: Double {
        // The Lab trains without an end; a lesson step's budget is its experiment's epochs,
        // the playground's the default experiment's (300 epochs).
        // A moment at an event (a dendrite phase, a dendrite set) comes at an epoch no one
        // knows in advance: pace as if the step were 200 epochs long.
        let epochs = lesson.map { l -> Int in
            let step = l.steps[min(state.stepIndex, l.steps.count - 1)]
            if step.moment.dendritePhase != nil || step.moment.dendrites != nil { return min(step.experiment.epochs, 200) }
            return step.moment.epochs ?? step.experiment.epochs
        } ?? 300
        return Double(epochs * session.trainer.batchesPerEpoch) / LabController.autoSeconds
    }
    public static let autoSeconds = 6.0

    /// In a lesson, play pauses at the step's moment (its epochs, or a point in its
    /// dendrite phases): the state the lesson's text, its checks and its picture describe.
    /// Once; Space then trains on. The step's selection is applied there.
    func reachedStepEpochs() -> Bool {
        guard let lesson, state.stepIndex < lesson.steps.count, session.trainer.batchInEpoch == 0 else { return false }
        let step = lesson.steps[state.stepIndex]
        // A rebuilt session (reset, new seed, mode) starts the moment again.
        if session.trainer.epoch < lastObservedEpoch { startMoment() }
        guard session.trainer.epoch != lastObservedEpoch || (session.isFinished && !momentReached) else { return false }
        lastObservedEpoch = session.trainer.epoch
        if !state.playing { lessonMeasured = nil }
        guard !pausedAtStepEpochs else { return false }
        guard tracker?.observe(epoch: session.trainer.epoch, phase: session.phase, dendrites: session.dendriteSets,
                               finished: session.isFinished) == true else { return false }
        pausedAtStepEpochs = true
        state.playing = false
        lessonMeasured = nil
        applyLessonSelection()
        state.say("Here is what this step describes (\(step.moment.isEnd ? "epoch \(session.trainer.epoch)" : step.moment.description)). Space trains on, PgDn goes to the next step.", frames: 600)
        return true
    }

    /// The moment tracker of the current step, from the session's start.
    func startMoment() {
        guard let lesson, state.stepIndex < lesson.steps.count else { tracker = nil; return }
        let step = lesson.steps[state.stepIndex]
        tracker = LessonMomentTracker(moment: step.moment, budget: step.experiment.epochs)
        _ = tracker?.observe(epoch: session.trainer.epoch, phase: session.phase, dendrites: session.dendriteSets)
        lastObservedEpoch = session.trainer.epoch
        pausedAtStepEpochs = false
        lessonMeasured = nil
    }

    /// True once the current step's moment has come (its goals are then judged).
    public var momentReached: Bool { tracker?.reached ?? false }

    /// Selects what the step's text looks at (the neuron, its dendrite or its candidate).
    func applyLessonSelection() {
        guard let lesson, state.stepIndex < lesson.steps.count, let sel = lesson.steps[state.stepIndex].selection else { return }
        let groups = NeuronGroup.groups(of: session.network)
        let column = sel.layer ?? groups.count
        guard column >= 1, column <= groups.count, sel.unit < groups[column - 1].units else { return }
        var ref = NeuronRef(column: column, unit: sel.unit)
        let p = session.network.layers[groups[column - 1].neuronLayer] as? PerforatedLayer
        switch sel.branch {
        case .candidate?: if let p, p.candidate != nil { ref.branch = p.dendrites.count }
        case .dendrite(let k)?: if let p, k < p.dendrites.count { ref.branch = k }
        case nil: break
        }
        state.selected = ref
    }

    /// The step's metrics now (recomputed once per epoch, for the lesson panel's goals).
    public func lessonMeasurements() -> [LessonExpectation.Metric: LessonRunner.Value] {
        let now = DispatchTime.now().uptimeNanoseconds
        // Live values while playing refresh a few times a second; at the moment, exactly.
        if let m = lessonMeasured, !state.playing || Double(now &- lastMeasured) * 1e-9 < 0.5 { return m }
        lastMeasured = now
        let sel = lesson.flatMap { state.stepIndex < $0.steps.count ? $0.steps[state.stepIndex].selection : nil }
        let m = LessonRunner.measure(network: session.network, trainer: session.trainer, train: session.train,
                                     validation: session.validation, test: nil, selection: sel)
        lessonMeasured = m
        return m
    }

    /// Trains (whole epochs) until the lesson step's moment, or at most `maxEpochs`;
    /// returns true when the moment was reached. For pictures and the timing command.
    @discardableResult
    public func playToMoment(maxEpochs: Int = 100_000) -> Bool {
        for _ in 0..<maxEpochs {
            if reachedStepEpochs() || momentReached { return true }
            if session.isFinished { break }
            session.stepEpoch()
        }
        return reachedStepEpochs() || momentReached
    }

}
