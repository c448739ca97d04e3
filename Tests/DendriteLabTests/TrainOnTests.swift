import Foundation
import Testing
@testable import DendriteCore
@testable import DendriteLab

extension LabSuite {
    /// Issue: in free play a dendrite decision ended the learner's play ("Finished: the
    /// switching rule restored the best model" after ~48 epochs on spirals). Now the best
    /// model trains on without growing; a lesson still stops where its runner stops.
    @Suite struct TrainOnTests {
        /// GD on XOR with one dendrite allowed and a short plateau: the rule stops early.
        static func quicklyStoppingConfig() -> LabConfig {
            var c = smallConfig()
            c.mode = .gd
            c.switchEpochs = 2
            c.maxDendrites = 1
            return c
        }

        @Test func freePlayTrainsOnAfterTheSwitchingRuleStops() {
            let c = LabController(config: Self.quicklyStoppingConfig())
            c.restore({ var s = c.state; s.speedLevel = 8; return s }())
            c.perform(.togglePlay)
            var frames = 0
            while !c.session.trainer.tracker.finished && frames < 20_000 { c.tick(budget: 1); frames += 1 }
            #expect(c.session.trainer.tracker.finished, "the rule never stopped in \(frames) frames")
            let stoppedAt = c.session.trainer.epoch
            let dendrites = c.session.network.dendriteCount
            for _ in 0..<400 { c.tick(budget: 1) }
            #expect(c.state.playing, "play ended: \(c.state.message ?? "")")
            #expect(c.session.trainer.epoch > stoppedAt + 5, "epoch \(c.session.trainer.epoch), stopped at \(stoppedAt)")
            #expect(c.session.network.dendriteCount == dendrites, "training on must not grow dendrites")
            #expect(c.session.trainer.tracker.config.mode == .never)
            #expect(c.session.events.contains { if case .decision(_, let m) = $0 { return m.hasPrefix("training on") }; return false })
        }

        /// Issue: PB on the playground's spiral trained on at a tenth of its rate. The
        /// learning-rate trial after the second dendrite set kept the decayed rate (0.002);
        /// the rule then rejected that set and restored the best model (epoch 9, no sets),
        /// which trained on at 0.002, at 61% after 1500 epochs where mode none reached 95%.
        @Test func theBestModelTrainsOnAtTheRateItHadNotATrialsDecayedOne() throws {
            var config = LabConfig()
            config.dataset = .spiral
            config.mode = .pb
            let c = LabController(config: config)
            let t = c.session.trainer
            var rateAfterEpoch: [Int: Float] = [:]
            var batches = 0
            while !t.tracker.finished && batches < 30 * 400 {
                c.session.stepBatch()
                batches += 1
                if t.batchInEpoch == 0 { rateAfterEpoch[t.epoch] = t.optimizer.learningRate }
            }
            try #require(t.tracker.finished, "the rule did not stop within 400 epochs")
            let decayedKept = c.session.events.contains {
                if case .decision(_, let m) = $0 { return m.contains("keeping lr 0.002") }
                return false
            }
            try #require(decayedKept, "no trial kept the decayed rate: this run does not reach the case")
            let bestRate = try #require(rateAfterEpoch[t.bestEpoch])
            #expect(bestRate == 0.02)
            #expect(t.optimizer.learningRate == bestRate, "restored epoch \(t.bestEpoch) but kept lr \(t.optimizer.learningRate)")
            #expect(t.trainOnWithoutGrowing())
            #expect(t.optimizer.learningRate == bestRate)
        }

        @Test func aRunStoppedByItsEpochBudgetDoesNotTrainOn() throws {
            // The same run with a 1-epoch budget (the Lab's own budget is open-ended): it
            // stops on the budget, not the rule, so there is nothing to train on.
            var e = Self.quicklyStoppingConfig().experiment
            e.epochs = 1
            let session = try ExperimentSession(e)
            session.trainer.run()
            #expect(session.trainer.isFinished)
            #expect(!session.trainer.canTrainOn)
            #expect(!session.trainer.trainOnWithoutGrowing())
            #expect(session.trainer.isFinished)
        }
    }
}
