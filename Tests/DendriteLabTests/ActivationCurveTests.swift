@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    /// The inspector draws a neuron's branch nonlinearity from the core's own function.
    @Suite struct ActivationCurveTests {
        @Test func theCurveIsTheCoresFunction() {
            for f in DendriteActivation.allCases {
                for (z, v) in ActivationCurveView.curve(f) { #expect(v == f.apply(z)) }
            }
            // dcaap is a bump: it rises, peaks inside the plotted range and falls again.
            let bump = ActivationCurveView.curve(.dcaap).map(\.v)
            let peak = bump.indices.max { bump[$0] < bump[$1] }!
            #expect(peak > 0 && peak < bump.count - 1)
            #expect(bump.last! < bump[peak] / 2 && bump.first! < bump[peak] / 2)
            // A sigmoid only rises.
            let s = ActivationCurveView.curve(.sigmoid).map(\.v)
            #expect(zip(s, s.dropFirst()).allSatisfy { $0 <= $1 })
        }

        @Test func aSelectedNeuronWithDcaapBranchesShowsTheirCurve() throws {
            var config = smallConfig()
            config.mode = .gd
            config.branchActivation = .dcaap
            var state = LabState()
            state.showUpdateRule = false
            let c = LabController(config: config, state: state)
            c.handle(keyEvent(SDLK_d))
            c.handle(keyEvent(SDLK_e))
            let n = c.frame().picture.layers[1].neurons[0]
            #expect(n.dendrites.activation == .dcaap)
            #expect(n.dendrites.branches.count == 1)

            // Drawn in the inspector's right half once the neuron is selected, not before.
            let layout = LabLayout(width: c.state.width, height: c.state.height)
            // Below the neuron's five lines of text, right of its one dendrite heatmap.
            let region = Rect(x: layout.inspector.x + 120, y: layout.inspector.y + 34 + 18 * 5 + 4,
                              w: layout.inspector.w - 132, h: min(96, layout.inspector.maxY - layout.inspector.y - 140))
            func ink() throws -> Int {
                let off = try Offscreen(width: c.state.width, height: c.state.height)
                c.draw(off.canvas)
                return inkedPixels(off, in: region, background: Theme.standard.panel)
            }
            let before = try ink()
            c.perform(.select(NeuronRef(column: 1, unit: 0)))
            let after = try ink()
            #expect(after > before + 200)
        }
    }
}
