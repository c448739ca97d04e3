import Foundation
import Testing
import DendriteCore
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
