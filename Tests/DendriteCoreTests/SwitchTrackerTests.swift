import Testing
@testable import DendriteCore

/// Feeds a scripted score sequence to a tracker in neuron phases, ending each dendrite
/// phase after one epoch, and returns the actions taken on the neuron-phase epochs.
private func drive(_ tracker: inout SwitchTracker, _ scores: [Float]) -> [SwitchTracker.Action] {
    var actions: [SwitchTracker.Action] = []
    var epoch = 0
    for s in scores {
        epoch += 1
        if tracker.phase == .dendrite {
            _ = tracker.recordDendriteEpoch(correlation: 0.1, epoch: epoch, epochsInPhase: tracker.config.maxDendritePhaseEpochs)
        }
        actions.append(tracker.recordNeuronEpoch(score: s, epoch: epoch).action)
    }
    return actions
}

@Suite struct SwitchTrackerTests {
    @Test func improvementMustBeatRelativeThreshold() {
        let t = SwitchTracker(config: .init(improvementThresholds: [0.01]))
        #expect(t.improves(0.5, over: -.infinity))
        #expect(!t.improves(0.904, over: 0.9))       // +0.4% < 1% threshold
        #expect(t.improves(0.92, over: 0.9))
        let tiny = SwitchTracker(config: .init(improvementThresholds: [0]))
        #expect(!tiny.improves(0.900005, over: 0.9))  // within the absolute 1e-5
        #expect(tiny.improves(0.90002, over: 0.9))
        #expect(!tiny.improves(.nan, over: 0.9))
    }

    @Test func plateauSwitchesAfterExactlyNEpochs() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 3, trainsCandidates: false))
        // Improves for 3 epochs, then flat: the third flat epoch switches.
        let actions = drive(&t, [0.5, 0.6, 0.7, 0.7, 0.7, 0.7])
        #expect(actions == [.keepTraining, .keepTraining, .keepTraining, .keepTraining, .keepTraining, .addDendrites])
        #expect(t.dendrites == 1)
        #expect(t.log.count == 1)
        #expect(t.log[0].epoch == 6)
    }

    @Test func improvementIsCountedAgainstThePhaseBestNotTheGlobalBest() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 2, trainsCandidates: false))
        _ = drive(&t, [0.8, 0.8, 0.8])                          // switch at epoch 3
        #expect(t.dendrites == 1)
        // The new phase starts lower than the global best but keeps improving: no switch,
        // although none of these beats 0.8.
        let actions = drive(&t, [0.6, 0.65, 0.7, 0.75])
        #expect(actions.allSatisfy { $0 == .keepTraining })
        #expect(t.globalBest == 0.8)
    }

    @Test func dendriteCountThatFailsIsRetriedOnceThenTrainingStops() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 2, maxDendriteTries: 2, trainsCandidates: false))
        _ = drive(&t, [0.9, 0.9, 0.9])                          // baseline 0.9, add set 1
        let first = drive(&t, [0.85, 0.85, 0.85])               // never beats 0.9
        #expect(first.last == .retryDendrites)
        #expect(t.dendrites == 1)
        #expect(t.tries == 1)
        let second = drive(&t, [0.88, 0.88, 0.88])
        #expect(second.last == .stop)
        #expect(t.finished)
        #expect(t.dendrites == 0)                                // best model had none
        #expect(t.globalBestDendrites == 0)
        #expect(t.log.map(\.action) == [.addDendrites, .retryDendrites, .stop])
    }

    @Test func successfulDendritesAreKeptAndGrowthStopsAtMaxDendrites() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 1, maxDendrites: 2, trainsCandidates: false))
        _ = drive(&t, [0.7, 0.7])                               // add set 1
        _ = drive(&t, [0.8, 0.8])                               // beat 0.7: add set 2
        #expect(t.dendrites == 2)
        let last = drive(&t, [0.9, 0.9])
        #expect(last == [.keepTraining, .stop])
        #expect(t.globalBest == 0.9)
        #expect(t.globalBestDendrites == 2)
        #expect(t.log.map(\.action) == [.addDendrites, .addDendrites, .stop])
    }

    @Test func minimizingScoresTreatLowerAsBetter() {
        var t = SwitchTracker(config: .init(maximize: false, nEpochsToSwitch: 2, trainsCandidates: false))
        let actions = drive(&t, [1.0, 0.5, 0.6, 0.55])
        #expect(actions == [.keepTraining, .keepTraining, .keepTraining, .addDendrites])
        #expect(t.globalBest == 0.5)
        _ = drive(&t, [0.7, 0.7, 0.7])                          // worse loss with dendrites
        #expect(t.log.last?.action == .retryDendrites)
    }

    @Test func newBestFlagsTheEpochToSnapshot() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 5, trainsCandidates: false))
        let flags = [0.5, 0.7, 0.6, 0.8, 0.8].enumerated().map {
            t.recordNeuronEpoch(score: Float($0.element), epoch: $0.offset + 1).isNewBest
        }
        #expect(flags == [true, true, false, true, false])
        // A retry or stop restores the snapshot of the best epoch: epoch 4's 0.8.
        #expect(t.globalBest == 0.8)
    }

    @Test func dendritePhaseEndsWhenCorrelationPlateausOrAtTheCap() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 1, pEpochsToSwitch: 2, maxDendritePhaseEpochs: 10))
        _ = t.recordNeuronEpoch(score: 0.5, epoch: 1)
        #expect(t.recordNeuronEpoch(score: 0.5, epoch: 2).action == .addDendrites)
        #expect(t.phase == .dendrite)
        let corr: [Float] = [0.02, 0.05, 0.06, 0.06, 0.055]
        var actions: [SwitchTracker.Action] = []
        for (i, c) in corr.enumerated() {
            actions.append(t.recordDendriteEpoch(correlation: c, epoch: 3 + i, epochsInPhase: i + 1).action)
            if t.phase == .neuron { break }
        }
        #expect(actions == [.keepTraining, .keepTraining, .keepTraining, .keepTraining, .endDendritePhase])
        #expect(t.bestCorrelation == 0.06)
        #expect(t.phase == .neuron)

        var capped = SwitchTracker(config: .init(nEpochsToSwitch: 1, pEpochsToSwitch: 5, maxDendritePhaseEpochs: 3))
        _ = capped.forceAddDendrites(epoch: 0)
        let a = (1...3).map { capped.recordDendriteEpoch(correlation: Float($0) / 10, epoch: $0, epochsInPhase: $0).action }
        #expect(a == [.keepTraining, .keepTraining, .endDendritePhase])
    }

    @Test func fixedModeAddsEveryIntervalAndNeverModeNever() {
        var f = SwitchTracker(config: .init(mode: .fixed, fixedInterval: 3, maxDendrites: 2, trainsCandidates: false))
        let actions = drive(&f, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
        #expect(actions == [.keepTraining, .keepTraining, .addDendrites,
                            .keepTraining, .keepTraining, .addDendrites,
                            .keepTraining, .keepTraining, .stop])
        var n = SwitchTracker(config: .init(mode: .never, nEpochsToSwitch: 1))
        #expect(drive(&n, [0.5, 0.5, 0.5, 0.5]).allSatisfy { $0 == .keepTraining })
        #expect(n.dendrites == 0)
    }

    @Test func thresholdDependsOnDendriteCount() {
        var t = SwitchTracker(config: .init(nEpochsToSwitch: 1, improvementThresholds: [0.1, 0.0], trainsCandidates: false))
        _ = drive(&t, [0.5, 0.52])              // +4% < 10%: not an improvement, switch
        #expect(t.dendrites == 1)
        // With one dendrite the threshold is 0: +4% now counts as an improvement.
        #expect(t.improves(0.52, over: 0.5))
    }
}
