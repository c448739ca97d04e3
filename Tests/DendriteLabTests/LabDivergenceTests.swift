import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct LabDivergenceTests {
        @Test func divergenceShowsInTheStatusLineAndRResets() throws {
            var config = smallConfig()
            config.experiment.optimizer.learningRate = 1e38  // Adam steps by about lr: a few steps pass Float.max
            let c = LabController(config: config)
            let initial = c.session.network.parameters.map(\.value)
            c.handle(keyEvent(SDLK_e))
            guard let d = c.session.divergence else { Issue.record("Adam at lr 1e38 did not diverge in an epoch"); return }
            #expect(c.session.isFinished)
            let status = StatusBar.text(c.frame().status)
            #expect(status.contains("diverged at epoch \(d.epoch), batch \(d.batch) in \(d.layer)"), "\(status)")
            #expect(c.state.message?.contains("Diverged at epoch \(d.epoch), batch \(d.batch)") == true, "\(c.state.message ?? "")")
            // The whole window still draws with NaN or infinite weights (no trap on a
            // non-finite coordinate or colour).
            let off = try Offscreen(width: 1280, height: 800)
            c.draw(off.canvas)
            // Playing or stepping refuses and says why.
            c.handle(keyEvent(SDLK_SPACE))
            #expect(!c.state.playing)
            #expect(c.state.message?.contains("R resets") == true)
            c.handle(keyEvent(SDLK_r))
            #expect(c.session.divergence == nil && !c.session.isFinished)
            #expect(c.session.network.parameters.map(\.value) == initial)
            #expect(!StatusBar.text(c.frame().status).contains("diverged"))
        }
    }
}
