import Foundation
import Testing
@testable import DendriteCore

/// Checkpoints and sweep plans store the experiment as JSON, so its spelling must not drift
/// when types move: the `dendrites` section (one `DendriteConfig`, once a copy of it), the
/// dataset's normalisation (`Normalization.Strategy`) and the schedule kind.
@Suite struct ExperimentJSONTests {
    static let dendrites = #"{"activation":"sigmoid","candidateInitScale":0.01,"candidateLearningRate":0.03,"candidatePool":4,"correlationSubset":"validation","fixedInterval":10,"improvementThresholds":[0.001,0.0001,0],"layers":[1],"learningRateTrialEpochs":1,"maxDendriteTries":2,"maxDendrites":3,"maxPEpochs":10,"nEpochsToSwitch":5,"pEpochsToSwitch":3,"pMinimumImprovement":0.01,"score":"loss","statisticsRate":0.01,"switchMode":"fixed"}"#

    static func experiment() -> Experiment {
        var d = DendriteConfig(switchMode: .fixed, nEpochsToSwitch: 5, maxPEpochs: 10, candidateLearningRate: 0.03,
                               score: .loss, layers: [1])
        d.evaluationSamples = 64
        return Experiment(name: "x", dataset: .init(name: .real(.mnist), normalization: .standard),
                          network: NetworkSpec(inputShape: [2], layers: [.dense(3), .dense(2)]), mode: .pb,
                          dendrites: d, schedule: LRSchedule(kind: .reduceOnPlateau), epochs: 2)
    }

    @Test func experimentJSONKeepsItsKeysAndSpellings() throws {
        let json = String(decoding: try TrainingSnapshot.encoder().encode(Self.experiment()), as: UTF8.self)
        #expect(json.contains(#""dendrites":\#(Self.dendrites)"#), "\(json)")
        #expect(json.contains(#""normalization":"standard""#), "\(json)")
        #expect(json.contains(#""kind":"reduceOnPlateau""#), "\(json)")
        #expect(json.contains(#""mode":"pb""#), "\(json)")
        #expect(!json.contains("evaluationSamples"), "\(json)")
    }

    @Test func storedJSONDecodesToTheSameSettings() throws {
        let decoded = try TrainingSnapshot.decoder().decode(DendriteConfig.self, from: Data(Self.dendrites.utf8))
        var expected = Self.experiment().dendrites
        expected.evaluationSamples = DendriteConfig.defaultEvaluationSamples
        #expect(decoded == expected)
        for name in Normalization.Strategy.allCases {
            let s = try TrainingSnapshot.decoder().decode(Normalization.Strategy.self, from: Data("\"\(name.rawValue)\"".utf8))
            #expect(s == name)
        }
        #expect(Normalization.Strategy.allCases.map(\.rawValue) == ["none", "unit", "standard", "published"])
    }

    /// The switching rule is derived from the settings and the mode in one place.
    @Test func trackerConfigFollowsTheSettingsAndTheMode() {
        let d = Self.experiment().dendrites
        let pb = d.trackerConfig(mode: .pb)
        #expect(pb.mode == .fixed && !pb.maximize && pb.trainsCandidates && pb.maxDendritePhaseEpochs == 10)
        #expect(pb.nEpochsToSwitch == 5 && pb.maxDendrites == 3 && pb.pMinimumImprovement == 0.01)
        #expect(d.trackerConfig(mode: .gd).trainsCandidates == false)
        #expect(d.trackerConfig(mode: .none).mode == .never)
    }
}
