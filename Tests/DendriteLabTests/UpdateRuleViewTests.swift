import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct UpdateRuleViewTests {
        let theme = Theme.standard

        /// A PB session with hidden neuron 1 of the first hidden layer selected.
        func pbController() -> LabController {
            var config = smallConfig()
            config.mode = .pb
            let c = LabController(config: config)
            c.perform(.select(NeuronRef(column: 1, unit: 0)))
            return c
        }

        @Test func neuronPhaseShowsBackpropWithLiveNumbers() throws {
            let c = pbController()
            c.perform(.stepEpoch)
            let rule = try #require(c.frame().updateRule)
            #expect(rule.kind == .backprop)
            #expect(rule.formula == "w ← w − lr · ∂L/∂w")
            #expect(rule.title.contains("neuron phase N"))
            let p = try #require(c.session.network.layers[0] as? PerforatedLayer)
            #expect(rule.values.contains { $0.contains("E = ∂L/∂y  mean \(fmt4(p.errorStatistics.mean[0]))") }, "\(rule.values)")
            #expect(rule.values.contains { $0.hasPrefix("|∂L/∂w| ") && !$0.hasPrefix("|∂L/∂w| 0.0000") }, "\(rule.values)")
            #expect(rule.values.contains { $0.hasPrefix("lr 0.0200") }, "\(rule.values)")
        }

        @Test func dendritePhaseSwitchesToCorrelationAscent() throws {
            let c = pbController()
            c.perform(.stepEpoch)
            _ = c.session.addDendritesNow()
            #expect(c.session.phase == .dendrite)
            for _ in 0..<5 { c.perform(.stepBatch) }
            let rule = try #require(c.frame().updateRule)
            #expect(rule.kind == .correlation)
            #expect(rule.formula == "S = sign(cov)·cov(V,E) / (sd V · sd E)")
            #expect(rule.title.contains("dendrite phase P"))
            // The score shown is the core's running statistic for this neuron's candidate.
            let cand = try #require(c.session.trainer.candidates)
            let s = cand.states[0]
            let score = abs(s.covariance[0]) / (s.varianceV[0].squareRoot() * s.varianceE[0].squareRoot() + CorrelationObjective.epsilon)
            #expect(score > 0 && score <= 1)
            #expect(rule.values.contains { $0.contains("S = \(fmt4(score))") }, "\(rule.values)")
            #expect(rule.values.contains { $0.contains("candidate lr \(fmt4(Double(cand.optimizer.learningRate)))") })
        }

        /// With `error_signal: output` the Lab names E as the gradient at the activation
        /// (∂L/∂h) wherever an activation follows the neuron, and ∂L/∂y at the output layer,
        /// in the update rule, the data view's error map and the network picture.
        @Test func errorLabelsNameTheGradientCandidatesUse() throws {
            var config = smallConfig()
            config.mode = .pb
            config.experiment.dendrites.errorSignal = .output
            let c = LabController(config: config)
            c.perform(.stepEpoch)
            let net = c.session.network
            #expect(NeuronGroup.groups(of: net).map(\.errorSignal) == [.output, .output, .preactivation])
            let hidden = try #require(UpdateRule.read(c.session, neuron: NeuronRef(column: 1, unit: 0)))
            let p = try #require(net.layers[0] as? PerforatedLayer)
            #expect(hidden.values.contains { $0.contains("E = ∂L/∂h  mean \(fmt4(p.errorStatistics.mean[0]))") }, "\(hidden.values)")
            let output = try #require(UpdateRule.read(c.session, neuron: NeuronRef(column: 3, unit: 0)))
            #expect(output.values.contains { $0.hasPrefix("E = ∂L/∂y  mean") }, "\(output.values)")
            let probe = Probe(network: net, resolution: 8, labels: [Int32](repeating: 1, count: 64))
            func errorTitle(_ column: Int) -> String? {
                DataView.maps(probe: probe, selected: NeuronRef(column: column, unit: 0), theme: theme, correlation: nil).last?.title
            }
            #expect(errorTitle(1) == "error E(x, y) = ∂L/∂h" && errorTitle(3) == "error E(x, y) = ∂L/∂y")
            let picture = NetworkPicture.read(c.session, input: nil, probe: probe)
            #expect(picture.layers.map(\.errorSignal) == [.preactivation, .output, .output, .preactivation])
        }

        @Test func plainModeUsesTheBatchErrorAndInputsHaveNoRule() throws {
            let c = LabController(config: smallConfig())
            c.perform(.stepBatch)
            let rule = try #require(UpdateRule.read(c.session, neuron: NeuronRef(column: 2, unit: 1)))
            #expect(rule.kind == .backprop)
            #expect(rule.values.first?.hasPrefix("E this batch (= ∂L/∂b)") == true)
            #expect(UpdateRule.read(c.session, neuron: NeuronRef(column: 0, unit: 0)) == nil)
        }

        @Test func uTogglesThePanel() {
            let c = pbController()
            #expect(c.frame().updateRule != nil)
            #expect(c.handle(keyEvent(SDLK_u)) == [.toggleUpdateRule])
            #expect(c.frame().updateRule == nil)
            c.handle(keyEvent(SDLK_u))
            #expect(c.frame().updateRule != nil)
            c.perform(.select(nil))
            #expect(c.frame().updateRule == nil, "no neuron shown, no rule")
        }

        @Test func renderDrawsTextAndChangesBetweenPhases() throws {
            let c = pbController()
            c.perform(.stepEpoch)
            let neuronRule = try #require(c.frame().updateRule)
            _ = c.session.addDendritesNow()
            for _ in 0..<3 { c.perform(.stepBatch) }
            let dendriteRule = try #require(c.frame().updateRule)
            let rect = Rect(x: 0, y: 0, w: 380, h: UpdateRuleView.height(for: dendriteRule))
            func render(_ r: UpdateRule) throws -> Offscreen {
                let off = try Offscreen(width: 380, height: Int(rect.h) + 2)
                off.canvas.clear(theme.panel)
                UpdateRuleView.draw(off.canvas, in: rect, rule: r)
                return off
            }
            let n = try render(neuronRule), p = try render(dendriteRule)
            let formula = Rect(x: 12, y: 32, w: 356, h: 18)
            #expect(inkedPixels(n, in: formula, background: theme.panel) > 40, "no formula text in N")
            #expect(inkedPixels(p, in: formula, background: theme.panel) > 40, "no formula text in P")
            let values = Rect(x: 12, y: 54, w: 356, h: 17 * 3)
            #expect(inkedPixels(p, in: values, background: theme.panel) > 100)
            // Different rules in different colours: the N formula is red (error), P green.
            func reddish(_ o: Offscreen) -> Int { o.pixels(in: formula).filter { Int($0.r) > Int($0.g) + 80 }.count }
            func greenish(_ o: Offscreen) -> Int { o.pixels(in: formula).filter { Int($0.g) > Int($0.r) + 60 }.count }
            #expect(reddish(n) > 10 && reddish(p) == 0)
            #expect(greenish(p) > 10 && greenish(n) == 0)
            #expect(n.pixels(in: rect) != p.pixels(in: rect))
        }

        @Test func wholeLabShowsTheRuleUnderTheInspector() throws {
            let c = pbController()
            c.perform(.stepEpoch)
            let inspector = c.state.layout.inspector
            let rule = try #require(c.frame().updateRule)
            let cardTop = inspector.maxY - min(UpdateRuleView.height(for: rule), inspector.h * 0.55)
            // Where the card's formula goes (red for backprop).
            let formula = Rect(x: inspector.x + 12, y: cardTop + 32, w: inspector.w - 24, h: 18)
            func ink() throws -> Int {
                let off = try Offscreen(width: c.state.width, height: c.state.height)
                c.draw(off.canvas)
                return off.pixels(in: formula).filter { Int($0.r) > Int($0.g) + 80 }.count
            }
            let with = try ink()
            c.perform(.toggleUpdateRule)
            let without = try ink()
            #expect(with > without + 10, "with \(with), without \(without)")
        }
    }
}
