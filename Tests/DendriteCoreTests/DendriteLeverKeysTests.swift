import Foundation
import Testing
@testable import DendriteCore

/// The `dendrites:` keys added for issue 14's PB levers (docs/pb-tuning.md): each parses,
/// survives the YAML and JSON round trips, leaves both texts unchanged at its default
/// (so older files, plans and checkpoints read as before), and refuses a bad value
/// with one line naming the file, line and key.
@Suite struct DendriteLeverKeysTests {
    struct Case: Sendable, CustomStringConvertible {
        let key: String, value: String, defaultValue: String, bad: String, expected: String
        let read: @Sendable (DendriteConfig) -> String
        var description: String { key }
    }

    static let cases: [Case] = [
        Case(key: "error_signal", value: "output", defaultValue: "preactivation", bad: "gate",
             expected: "one of preactivation, output", read: { $0.errorSignal.rawValue }),
        Case(key: "candidate_weight_decay", value: "0.001", defaultValue: "0", bad: "-1",
             expected: "candidate_weight_decay", read: { String(format: "%g", $0.candidateWeightDecay) }),
        Case(key: "output_lr_scale", value: "10", defaultValue: "1", bad: "0",
             expected: "output_lr_scale", read: { String(format: "%g", $0.outputLearningRateScale) }),
    ]

    static func yaml(_ line: String) -> String {
        """
        name: t
        dataset: {name: corners}
        network: {layers: [dense 4, relu, dense 2]}
        mode: pb
        dendrites:
          \(line)
        epochs: 1
        """
    }

    @Test(arguments: cases)
    func keyParsesRoundTripsAndRefusesBadValuesInOneLine(_ c: Case) throws {
        let e = try ExperimentLoader.decode(yaml: Self.yaml("\(c.key): \(c.value)"), file: "e.yaml")
        #expect(c.read(e.dendrites) == c.value)
        #expect(e.yamlText.contains("\(c.key): \(c.value)"))
        #expect(try ExperimentLoader.decode(yaml: e.yamlText, file: "again.yaml") == e)
        let json = try JSONEncoder().encode(e.dendrites)
        #expect(c.read(try JSONDecoder().decode(DendriteConfig.self, from: json)) == c.value)

        let atDefault = try ExperimentLoader.decode(yaml: Self.yaml("\(c.key): \(c.defaultValue)"), file: "e.yaml")
        let unset = try ExperimentLoader.decode(yaml: Self.yaml("score: accuracy"), file: "e.yaml")
        #expect(atDefault == unset, "the default is today's behaviour")
        #expect(atDefault.yamlText == unset.yamlText && !unset.yamlText.contains(c.key))
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        #expect(try sorted.encode(atDefault.dendrites) == sorted.encode(unset.dendrites))

        var message = ""
        do { _ = try ExperimentLoader.decode(yaml: Self.yaml("\(c.key): \(c.bad)"), file: "bad.yaml") } catch { message = "\(error)" }
        #expect(message.hasPrefix("bad.yaml:6: ") && message.contains(c.key) && message.contains(c.expected)
                && !message.contains("\n"), "\(message)")
    }

    /// The keys reach the code that reads them: a P phase started on a toy run uses an
    /// Adam with the candidate decay, every A carries the
    /// output rate scale, and every perforated layer the error signal.
    @Test func keysReachTheTrainer() throws {
        let e = try ExperimentLoader.decode(yaml: """
            name: t
            dataset: {name: corners, count: 64}
            network: {layers: [dense 3, relu, dense 2]}
            mode: pb
            dendrites: {candidate_weight_decay: 0.002, output_lr_scale: 4,
                        error_signal: output}
            epochs: 2
            batch_size: 16
            """, file: "e.yaml")
        let session = try ExperimentSession(e)
        _ = session.trainer.stepBatch()
        #expect(session.trainer.addDendritesNow())
        let candidates = try #require(session.trainer.candidates)
        #expect((candidates.optimizer as? Adam)?.weightDecay == 0.002)
        #expect(session.network.perforatedLayers.allSatisfy { $0.errorSignal == .output && $0.outputLearningRateScale == 4 })
        #expect(session.trainer.addDendritesNow(), "ends the phase, accepting the candidates")
        let outputs = session.network.perforatedLayers.flatMap { $0.dendrites.map(\.output) }
        #expect(outputs.count == 2 && outputs.allSatisfy { $0.learningRateScale == 4 })
    }
}
