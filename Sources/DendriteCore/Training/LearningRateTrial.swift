/// After a PB switch (design.md 2.3) the neurons resume with a fresh optimizer and a new
/// dendrite set whose A starts at 0. Whether the original learning rate or one decay
/// step below it continues best is not known in advance, so, as the public PB library
/// does, both are tried from the same weights for `epochs` epochs each and the better
/// (by the switching score) is kept. The trial epochs are ordinary N epochs: they count
/// against the budget and are seen by the switching rule.
struct LearningRateTrial {
    /// The weights both rates start from.
    let start: NetworkSnapshot
    /// The original rate, then one decay step below it.
    let rates: [Float]
    let epochs: Int
    /// Index into `rates` being trained now, and its epochs so far.
    var stage = 0
    var epochsDone = 0
    /// The first rate's result: score and weights.
    var first: (score: Float, weights: NetworkSnapshot)?

    /// One decay step: the schedule's factor when it has one, else 0.1.
    static func rates(original: Float, schedule: LRSchedule) -> [Float] {
        let factor = schedule.kind == .constant ? 0.1 : schedule.factor
        return [original, max(original * factor, schedule.minimum)]
    }
}

extension Trainer {
    /// Starts the trial at the original rate (called when a PB dendrite phase ends).
    func beginLearningRateTrial() {
        let k = dendriteConfig.learningRateTrialEpochs
        guard dendriteMode == .pb, k > 0 else { return }
        let trial = LearningRateTrial(start: network.snapshot(),
                                      rates: LearningRateTrial.rates(original: initialLearningRate, schedule: schedule),
                                      epochs: k)
        optimizer.learningRate = trial.rates[0]
        learningRateTrial = trial
    }

    /// Advances the trial after a neuron-phase epoch that scored `score`; a switch or
    /// stop decided in the same epoch cancels it (`keepTraining` false).
    func advanceLearningRateTrial(score: Float, keepTraining: Bool) {
        guard var trial = learningRateTrial else { return }
        guard keepTraining else { learningRateTrial = nil; return }
        trial.epochsDone += 1
        guard trial.epochsDone >= trial.epochs else { learningRateTrial = trial; return }
        if trial.stage == 0 {
            trial.first = (score, network.snapshot())
            network.restore(trial.start)
            optimizer.reset()
            optimizer.learningRate = trial.rates[1]
            trial.stage = 1
            trial.epochsDone = 0
            learningRateTrial = trial
            return
        }
        learningRateTrial = nil
        guard let first = trial.first else { return }
        let decayedWins = tracker.improves(score, over: first.score)
        if !decayedWins {
            network.restore(first.weights)
            optimizer.reset()
            optimizer.learningRate = trial.rates[0]
        }
        let kept = decayedWins ? trial.rates[1] : trial.rates[0]
        emit(.decision(epoch: epoch, message: "learning-rate trial after the switch: lr \(trial.rates[0]) scored \(first.score), "
                       + "lr \(trial.rates[1]) scored \(score); keeping lr \(kept)"))
    }
}
