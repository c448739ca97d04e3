import Foundation
import Testing
@testable import DendriteCore

/// Issue 13's fronts: `--widths` on a dendritic layer scales its somas, a dANN gets a
/// param-matched plain MLP baseline, and front rows group into families with mean and
/// spread over seeds, held against the plain front.
@Suite struct ParameterFrontTests {
    static let dann = Experiment(name: "dann", dataset: .init(name: .real(.mnist)),
                                 network: NetworkSpec(inputShape: [1, 28, 28],
                                                      layers: [.dendritic(somas: 32, dendrites: 8, inputs: 16, sampling: .local), .dense(10)]),
                                 mode: .none, epochs: 2, seed: 1)

    @Test func widthsScaleTheSomasOfADendriticLayer() throws {
        let spec = try #require(Self.dann.network.scalingHidden(narrowestTo: 128))
        #expect(spec.layers == [.dendritic(somas: 128, dendrites: 8, inputs: 16, sampling: .local), .dense(10)])
        // Issue 13's table: 128 somas x 8 dendrites x 16 inputs -> 19,850 parameters; 32 -> 4,970.
        #expect(spec.plainParameterCount == 19_850 && Self.dann.network.plainParameterCount == 4_970)
        #expect(Self.dann.network.hiddenWidths == [32])
        // Dense layers after the dendritic layer scale with it.
        let deeper = NetworkSpec(inputShape: [64], layers: [.dendritic(somas: 16, dendrites: 4, inputs: 8, sampling: .random), .dense(32), .relu, .dense(10)])
        #expect(deeper.scalingHidden(narrowestTo: 8)?.hiddenWidths == [8, 16])

        let plan = try SweepPlan.expand(.init(files: [.init(path: "d.yaml", experiment: Self.dann, text: nil)], modes: [.none],
                                              seeds: [1], widths: [16, 64]), directory: "/s")
        #expect(plan.tasks.map(\.folder) == ["dann-w16-none-seed1", "dann-w64-none-seed1"])
        #expect(plan.tasks.map { $0.experiment?.network.plainParameterCount } == [2_490, 9_930])
    }

    @Test func aDannGetsAParamMatchedPlainMLP() throws {
        // The plain form puts a flatten and a dense ReLU layer where the dendritic layer was.
        #expect(Self.dann.network.plainEquivalent.layers == [.flatten, .dense(1), .relu, .dense(10)])
        let m = try #require(Self.dann.parameterMatchedBaseline(targetParameters: 4_970))
        // 784-H-10 has 795H + 10 parameters: H=6 gives 4,780, the closest to 4,970 (H=7: 5,575).
        #expect(m.network.layers == [.flatten, .dense(6), .relu, .dense(10)])
        #expect(m.network.plainParameterCount == 4_780 && m.mode == .none && m.name == "dann-matched")

        // A sweep plans one for every dANN run, even in mode none, and resolves it from the
        // finished run though that run grew no dendrite sets.
        let plan = try SweepPlan.expand(.init(files: [.init(path: "d.yaml", experiment: Self.dann, text: nil)], modes: [.none],
                                              seeds: [1, 2], matched: true), directory: "/s")
        #expect(plan.runCount == 2 && plan.tasks.count == 4 && plan.matchedTask == [0: 2, 1: 3])
        let summary = RunSummary(name: "dann", dataset: "mnist", mode: "none", seed: 1, parameters: 4_970, dendriteSets: 0,
                                 bestValidationAccuracy: 0.9, bestEpoch: 1, testAccuracy: 0.9, testLoss: 1, finalTestAccuracy: 0.9,
                                 epochs: 2, wallSeconds: 1, samplesPerSecond: 1)
        let resolved = MatchedBaseline.resolve(parent: Self.dann, parentLabel: "dann", summary: summary)
        #expect(resolved == .run(m, label: "dann plain h6"))
        // A plain network in mode none still has no baseline planned.
        var plain = Self.dann
        plain.network = m.network
        let p2 = try SweepPlan.expand(.init(files: [.init(path: "p.yaml", experiment: plain, text: nil)], modes: [.none], matched: true),
                                      directory: "/s")
        #expect(p2.tasks.count == 1)
    }

    static func sample(_ family: String, _ width: Int, _ params: Int, _ acc: Double, plain: Bool) -> ParameterFront.Sample {
        .init(family: family, width: width, parameters: params, accuracy: acc, isPlain: plain)
    }

    @Test func rowsGroupIntoFamiliesWithMeanAndSpreadOverSeeds() throws {
        let samples = [
            Self.sample("plain", 16, 200, 0.90, plain: true), Self.sample("dann", 64, 150, 0.95, plain: false),
            Self.sample("plain", 8, 100, 0.80, plain: true), Self.sample("plain", 8, 100, 0.84, plain: true),
            Self.sample("dann", 64, 150, 0.97, plain: false), Self.sample("plain", 16, 200, 0.92, plain: true),
            Self.sample("dann", 32, 80, 0.70, plain: false), Self.sample("dann", 32, 80, 0.90, plain: false),
        ]
        let front = ParameterFront(samples)
        #expect(front.lines.map(\.family) == ["plain", "dann"] && front.lines.map(\.isPlain) == [true, false])
        let plain = front.lines[0].points, dann = front.lines[1].points
        // Points in order of size, whatever order the runs came in.
        #expect(plain.map(\.width) == [8, 16] && dann.map(\.width) == [32, 64])
        #expect(plain.map(\.runs) == [2, 2])
        #expect(abs(plain[0].accuracy - 0.82) < 1e-12 && abs(plain[0].sd - 0.02 * 2.0.squareRoot()) < 1e-12)
        #expect(front.hasWidthAxis)
        // dann w64 (150 params, 96% ± 1.4) against plain w16 (200 params, 91% ± 1.4): above beyond the spread.
        // dann w32 (80 params, 80% ± 14) against plain w8 (100 params): within the spread.
        let v = front.verdicts
        #expect(v.map { $0.point.width } == [32, 64] && v.map { $0.plain?.width } == [8, 16])
        #expect(v.map(\.aboveBeyondSpread) == [false, true])
        #expect(abs((v[1].gap ?? 0) - 0.05) < 1e-12)
        // Nothing plain as large: no verdict either way.
        let big = ParameterFront([Self.sample("plain", 8, 100, 0.8, plain: true), Self.sample("dann", 9, 500, 0.99, plain: false)])
        #expect(big.verdicts.first?.plain == nil && big.verdicts.first?.aboveBeyondSpread == false)
        #expect(!ParameterFront([Self.sample("plain", 8, 100, 0.8, plain: true)]).hasWidthAxis)
        #expect(ParameterFront.family(name: "narrow", mode: .pb) == "narrow + PB" && ParameterFront.family(name: "narrow", mode: .none) == "narrow")
        #expect(SeedSpread([1, 2, 3]) == SeedSpread(mean: 2, sd: 1) && SeedSpread([5]).sd == 0)
    }
}

extension SeedSpread {
    init(mean: Double, sd: Double) {
        self.init([])
        self.mean = mean
        self.sd = sd
    }
}

extension ParameterFrontTests {
    @Test func aPlainNetUpToOnePercentSmallerCountsAsEqual() {
        // 25,588 (narrow + 3 GD sets) against plain 25,450 (0.5% fewer) and 50,890.
        let front = ParameterFront([Self.sample("plain", 32, 25_450, 0.968, plain: true), Self.sample("plain", 64, 50_890, 0.975, plain: true),
                                    Self.sample("plain", 24, 19_090, 0.962, plain: true), Self.sample("gd", 8, 25_588, 0.954, plain: false),
                                    Self.sample("gd", 9, 26_000, 0.96, plain: false)])
        #expect(front.verdicts.map { $0.plain?.width } == [32, 64])
    }
}
