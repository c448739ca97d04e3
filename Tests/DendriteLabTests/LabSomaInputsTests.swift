import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    /// A lesson or experiment with `dendrites: {soma_inputs: false}` in the Lab: the
    /// session builds it, the status line says so, and the first branch grows at once.
    @Suite struct LabSomaInputsTests {
        @Test func somaInputsOffShowsAndTheFirstBranchGrowsAtOnce() throws {
            var config = smallConfig(.corners)
            config.mode = .gd
            config.experiment.dendrites.somaInputs = false
            let c = LabController(config: config)
            #expect(StatusBar.text(c.frame().status).contains("mode gd, soma inputs off"))
            #expect(c.session.dendriteSets == 0)
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.dendriteSets == 1)
            let soma = c.session.network.perforatedLayers.flatMap { $0.neuron.weight.value.storage }
            #expect(!soma.isEmpty && soma.allSatisfy { $0 == 0 })
            #expect(c.session.events.contains { if case .decision(_, let m) = $0 { m.contains("soma inputs are off") } else { false } })
            // Mode none has no dendrites, so nothing is off there.
            c.handle(keyEvent(SDLK_m))   // gd -> pb: refused, the hidden layers would never learn in PB
            #expect(c.session.config.mode == .gd)
            #expect(c.state.message?.contains("would never learn") == true, "\(c.state.message ?? "")")
        }
    }
}
