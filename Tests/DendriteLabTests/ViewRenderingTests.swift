import Foundation
import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    @Suite struct ViewRenderingTests {
        let theme = Theme.standard

        @Test func networkViewDrawsSomataAndConnections() throws {
            let session = LabSession(config: smallConfig())
            let off = try Offscreen(width: 640, height: 420)
            let rect = Rect(x: 0, y: 0, w: 640, h: 420)
            NetworkView.draw(off.canvas, in: rect, picture: NetworkPicture.read(session, probe: Probe(network: session.network)))
            let geo = NetworkGeometry(shape: [2, 4, 4, 2], in: rect)
            for column in geo.centres {
                for c in column {
                    let ink = inkedPixels(off, in: Rect(x: c.x - geo.radius, y: c.y - geo.radius, w: 2 * geo.radius, h: 2 * geo.radius),
                                          background: theme.panel)
                    #expect(ink > 20, "soma at \(c) looks blank")
                }
            }
            // Between the columns there are connection curves.
            let a = geo.centres[1][0].x, b = geo.centres[2][0].x
            #expect(inkedPixels(off, in: Rect(x: a + 30, y: geo.top, w: b - a - 60, h: 300), background: theme.panel) > 200)
        }

        @Test func decisionSurfaceTakesTheClassColoursAfterTraining() throws {
            let session = LabSession(config: smallConfig(.xor))
            let off = try Offscreen(width: 420, height: 440)
            let rect = Rect(x: 0, y: 0, w: 420, h: 440)
            let plot = DataView.plotRect(in: rect)
            let none = session.train.subset([])
            func colours() -> (Color, Color) {
                DataView.draw(off.canvas, in: rect, probe: Probe(network: session.network), train: none, validation: none)
                let q1 = DataView.point(0.7, 0.7, plot: plot, extent: 1.3)   // x*y > 0: class 1 (blue)
                let q4 = DataView.point(0.7, -0.7, plot: plot, extent: 1.3)  // x*y < 0: class 0 (orange)
                return (off.pixel(x: Int(q1.x), y: Int(q1.y)), off.pixel(x: Int(q4.x), y: Int(q4.y)))
            }
            let (before1, before4) = colours()
            for _ in 0..<40 { session.stepEpoch() }
            #expect(session.history.last!.validationAccuracy > 0.8)
            let (after1, after4) = colours()
            #expect(distance(before1, after1) > 30 || distance(before4, after4) > 30, "heatmap did not change")
            #expect(after1.b > after1.r, "class-1 quadrant should be blue, got \(after1)")
            #expect(after4.r > after4.b, "class-0 quadrant should be orange, got \(after4)")
        }

        @Test func selectingANeuronShowsItsOwnOutput() throws {
            let session = LabSession(config: smallConfig(.circle))
            for _ in 0..<5 { session.stepEpoch() }
            let probe = Probe(network: session.network)
            let off = try Offscreen(width: 420, height: 440)
            let rect = Rect(x: 0, y: 0, w: 420, h: 440)
            let plot = DataView.plotRect(in: rect)
            let none = session.train.subset([])
            DataView.draw(off.canvas, in: rect, probe: probe, train: none, validation: none)
            let surface = off.pixels(in: plot)
            DataView.draw(off.canvas, in: rect, probe: probe, train: none, validation: none,
                          selected: NeuronRef(column: 0, unit: 0))
            let x1 = off.pixels(in: plot)
            #expect(zip(surface, x1).filter { distance($0, $1) > 30 }.count > surface.count / 10)
            // The x1 input grows from left (signed scale: magenta) to right (green).
            let left = off.pixel(x: Int(plot.x + 5), y: Int(plot.center.y))
            let right = off.pixel(x: Int(plot.maxX - 5), y: Int(plot.center.y))
            #expect(left.r > left.g && right.g > right.r, "\(left) \(right)")
        }

        /// A hand-made picture: 3 hidden neurons, the middle one with two dendrites.
        func pictureWithDendrites(mode: DendriteMode, phase: Phase, candidate: Bool = false) -> NetworkPicture {
            let plain = NeuronPicture(activation: 0, shade: 0)
            var branchy = plain
            branchy.dendrites = NeuronDendrites(
                branches: [DendriteBranch(weight: 0.8, output: 0.9), DendriteBranch(weight: -0.6, output: 0.7, isCandidate: candidate)],
                errorSignal: 0.2, candidateCorrelation: 0.08)
            return NetworkPicture(layers: [
                LayerPicture(title: "Input", neurons: [plain, plain]),
                LayerPicture(title: "Hidden", neurons: [plain, branchy, plain]),
                LayerPicture(title: "Output", neurons: [plain, plain]),
            ], mode: mode, phase: phase, dendriteSets: 2)
        }

        @Test func dendriteBranchesAppearWhereTheLayoutPutsThem() throws {
            let off = try Offscreen(width: 600, height: 480)
            let rect = Rect(x: 0, y: 0, w: 600, h: 480)
            NetworkView.draw(off.canvas, in: rect, picture: pictureWithDendrites(mode: .gd, phase: .neuron))
            let geo = NetworkGeometry(shape: [2, 3, 2], in: rect)
            let tree = geo.dendriteTree(column: 1, unit: 1, count: 2)
            for b in tree.branches {
                let tip = off.pixel(x: Int(b.tip.x), y: Int(b.tip.y))
                #expect(tip.g > tip.r && tip.g > tip.b, "branch tip at \(b.tip) should be green (high output), got \(tip)")
            }
            // The same spot beside a neuron without dendrites stays empty.
            let empty = geo.dendriteTree(column: 1, unit: 2, count: 2)
            for b in empty.branches {
                #expect(off.pixel(x: Int(b.tip.x), y: Int(b.tip.y)) == theme.panel)
            }
            // Error and correlation gauges sit right of the soma.
            let c = geo.centres[1][1]
            let gauges = Rect(x: c.x + geo.radius + 4, y: c.y - geo.radius, w: 10, h: 2 * geo.radius)
            #expect(off.pixels(in: gauges).contains { $0.r > 180 && $0.g < 80 }, "no red error bar")
        }

        @Test func neuronPhaseDimsFrozenDendritesInPBMode() throws {
            let rect = Rect(x: 0, y: 0, w: 600, h: 480)
            let geo = NetworkGeometry(shape: [2, 3, 2], in: rect)
            let tip = geo.dendriteTree(column: 1, unit: 1, count: 2).branches[0].tip
            func tipColour(_ p: NetworkPicture) throws -> Color {
                let off = try Offscreen(width: 600, height: 480)
                NetworkView.draw(off.canvas, in: rect, picture: p)
                return off.pixel(x: Int(tip.x), y: Int(tip.y))
            }
            let live = try tipColour(pictureWithDendrites(mode: .gd, phase: .neuron))
            let frozen = try tipColour(pictureWithDendrites(mode: .pb, phase: .neuron))
            #expect(distance(frozen, theme.panel) < distance(live, theme.panel), "frozen \(frozen) vs live \(live)")
        }

        @Test func dendritePhaseDimsNeuronsAndLightsTheCandidate() throws {
            let rect = Rect(x: 0, y: 0, w: 600, h: 480)
            let geo = NetworkGeometry(shape: [2, 3, 2], in: rect)
            func render(_ p: NetworkPicture) throws -> Offscreen {
                let off = try Offscreen(width: 600, height: 480)
                NetworkView.draw(off.canvas, in: rect, picture: p)
                return off
            }
            var n = pictureWithDendrites(mode: .pb, phase: .neuron)
            var p = pictureWithDendrites(mode: .pb, phase: .dendrite, candidate: true)
            n.layers[1].neurons[0].shade = 1
            p.layers[1].neurons[0].shade = 1
            let inN = try render(n), inP = try render(p)
            let soma = geo.centres[1][0]
            #expect(distance(inP.pixel(x: Int(soma.x), y: Int(soma.y)), theme.panel)
                    < distance(inN.pixel(x: Int(soma.x), y: Int(soma.y)), theme.panel))
            // The candidate's glow (accent colour) appears around its branch.
            let b = geo.dendriteTree(column: 1, unit: 1, count: 2).branches[1]
            let around = Rect(x: min(b.from.x, b.tip.x) - 6, y: min(b.from.y, b.tip.y) - 6,
                              w: abs(b.tip.x - b.from.x) + 12, h: abs(b.tip.y - b.from.y) + 12)
            func purple(_ o: Offscreen) -> Int { o.pixels(in: around).filter { Int($0.b) > Int($0.g) + 40 && Int($0.r) > Int($0.g) + 20 }.count }
            #expect(purple(inP) > purple(inN) + 5)
        }

        @Test func theCandidatesPulseMovesWithTimeOnlyInTheLiveLayer() throws {
            let rect = Rect(x: 0, y: 0, w: 600, h: 480)
            let geo = NetworkGeometry(shape: [2, 3, 2], in: rect)
            let b = geo.dendriteTree(column: 1, unit: 1, count: 2).branches[1]
            let around = Rect(x: min(b.from.x, b.tip.x) - 6, y: min(b.from.y, b.tip.y) - 6,
                              w: abs(b.tip.x - b.from.x) + 12, h: abs(b.tip.y - b.from.y) + 12)
            func render(_ p: NetworkPicture, time: Double, pulses: Bool) throws -> [Color] {
                let off = try Offscreen(width: 600, height: 480)
                off.canvas.time = time
                NetworkView.draw(off.canvas, in: rect, picture: p)
                if pulses { NetworkView.drawPulses(off.canvas, in: rect, picture: p) }
                return off.pixels(in: around)
            }
            let p = pictureWithDendrites(mode: .pb, phase: .dendrite, candidate: true)
            // The cached picture does not depend on the time; the pulse over it does.
            #expect(try differing(render(p, time: 0.1, pulses: false), render(p, time: 0.7, pulses: false)) == 0)
            let early = try render(p, time: 0.1, pulses: true), late = try render(p, time: 0.7, pulses: true)
            #expect(differing(early, late) > 10)
            #expect(try differing(early, render(p, time: 0.1, pulses: false)) > 10)
            // No pulse outside a dendrite phase.
            let n = pictureWithDendrites(mode: .pb, phase: .neuron, candidate: true)
            #expect(try differing(render(n, time: 0.1, pulses: true), render(n, time: 0.1, pulses: false)) == 0)
        }

        @Test func theLabsLiveLayerCarriesThePulseOverTheCachedPicture() throws {
            var config = smallConfig()
            config.mode = .pb
            let c = LabController(config: config)
            c.handle(keyEvent(SDLK_e))
            c.handle(keyEvent(SDLK_d))
            try #require(c.session.phase == .dendrite)
            let f = c.frame()
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            func network(time: Double, live: Bool) -> [Color] {
                off.canvas.time = time
                LabScene.draw(off.canvas, frame: f, state: c.state, live: false)
                if live { LabScene.drawLive(off.canvas, frame: f, state: c.state) }
                return off.pixels(in: c.state.layout.network)
            }
            #expect(differing(network(time: 0.1, live: false), network(time: 0.7, live: false)) == 0)
            #expect(differing(network(time: 0.1, live: true), network(time: 0.7, live: true)) > 10)
        }

        /// Pixels that differ between two renderings of the same rect.
        func differing(_ a: [Color], _ b: [Color]) -> Int {
            a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : max(a.count, b.count)
        }

        @Test func curvesPNGShowsLossAccuracyPhasesAndMarkers() throws {
            let history = (1...12).map { e in
                EpochMetrics(epoch: e, phase: (5...7).contains(e) ? .dendrite : .neuron, dendrites: e > 7 ? 1 : 0,
                             parameters: e > 7 ? 200 : 100, trainLoss: 1 / Float(e), trainAccuracy: 0.5 + 0.04 * Float(e),
                             validationLoss: 1.2 / Float(e), validationAccuracy: 0.5 + 0.035 * Float(e),
                             learningRate: 0.01, seconds: 0.1)
            }
            let events: [TrainingEvent] = [.dendriteAdded(epoch: 4, dendrites: 1, layers: ["layers.0"], correlations: [0.1])]
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("curves-\(UInt32.random(in: 0...UInt32.max)).png").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try renderCurvesPNG(history: history, events: events, to: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))

            let off = try Offscreen(width: 960, height: 320)
            let rect = Rect(x: 0, y: 0, w: 960, h: 320)
            CurvesView.draw(off.canvas, in: rect, history: history, events: events)
            let body = Rect(x: 10, y: 30, w: 940, h: 280)
            #expect(off.pixels(in: body).contains { $0.b > 150 && $0.r < 60 }, "no train line")
            #expect(off.pixels(in: body).contains { $0.r > 200 && $0.g > 100 && $0.b < 80 }, "no validation line")
            #expect(CurvesView.dendriteEpochs(history: history, events: events) == [4, 7])
        }

        @Test func curvesShowTheCandidatesCorrelationPerDendritePhaseEpochWithoutBridgingTheNeuronPhase() throws {
            // Two P phases (epochs 4-6 and 10-12) with a neuron phase between them.
            let pEpochs = Set([4, 5, 6, 10, 11, 12])
            let history = (1...15).map { e in
                EpochMetrics(epoch: e, phase: pEpochs.contains(e) ? .dendrite : .neuron, dendrites: e > 6 ? 1 : 0,
                             parameters: 100, trainLoss: 1 / Float(e), trainAccuracy: 0.6, validationLoss: 1 / Float(e),
                             validationAccuracy: 0.6, learningRate: 0.01, seconds: 0.1)
            }
            let events: [TrainingEvent] = pEpochs.sorted().map {
                .candidateCorrelation(epoch: $0, epochInPhase: $0 % 4, heldOut: 0.05 * Float($0 % 4 + 1), batch: 0.04)
            }
            let series = try #require(CurvesView.correlationSeries(epochs: 15, events: events))
            #expect(series.measured[3] == 0.05 * 1 && series.measured[11] == 0.05 * 1)
            #expect(series.measured[6].isNaN && series.batch[8].isNaN)
            #expect(CurvesView.correlationSeries(epochs: 15, events: []) == nil)

            let rect = Rect(x: 0, y: 0, w: 1120, h: 320)
            func render(_ events: [TrainingEvent]) throws -> Offscreen {
                let off = try Offscreen(width: Int(rect.w), height: Int(rect.h))
                off.canvas.clear(theme.background)
                CurvesView.draw(off.canvas, in: rect, history: history, events: events)
                return off
            }
            let green = theme.correlationColor
            func isGreen(_ c: Color) -> Bool { abs(Int(c.r) - Int(green.r)) < 40 && abs(Int(c.g) - Int(green.g)) < 40 && abs(Int(c.b) - Int(green.b)) < 40 }
            let with = try render(events), without = try render([])
            let body = Rect(x: 10, y: 40, w: 1100, h: 260)
            #expect(with.pixels(in: body).filter(isGreen).count > 40, "no correlation line")
            #expect(without.pixels(in: body).filter(isGreen).count == 0)
            // Between the phases (epochs 7-9) the line stops: below the legend row, the green
            // columns form two groups with a gap of about three epochs' width between them.
            var columns = Set<Int>()
            let w = Int(rect.w)
            for (i, c) in with.pixels(in: rect).enumerated() where isGreen(c) && i / w >= 60 && i / w < 290 { columns.insert(i % w) }
            let xs = columns.sorted()
            let widest = zip(xs, xs.dropFirst()).map { $1 - $0 }.max() ?? 0
            #expect(xs.count > 20 && widest > 40, "the neuron phase between the P phases was bridged (widest gap \(widest) px)")
        }

        @Test func wholeLabRendersToPNG() throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("lab-\(UInt32.random(in: 0...UInt32.max)).png").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let c = try renderLabPNG(config: smallConfig(), epochs: 2, to: path, width: 1024, height: 700)
            #expect(c.session.history.count == 2)
            let attrs = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attrs[.size] as? Int ?? 0) > 10_000)
        }
    }
}
