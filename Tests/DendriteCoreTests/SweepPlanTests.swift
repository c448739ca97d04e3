import Foundation
import Testing
@testable import DendriteCore

/// Plan expansion: counts, folder names, matched baselines as a second stage, widths,
/// determinism, and the number lists used for seeds and `--array=`.
@Suite struct SweepPlanTests {
    static func experiment(_ name: String, layers: [LayerSpec], seed: UInt64 = 1) -> Experiment {
        Experiment(name: name, dataset: .init(name: .toy(.spiral), count: 100), network: NetworkSpec(inputShape: [2], layers: layers),
                   epochs: 5, seed: seed)
    }
    static let narrow = experiment("narrow", layers: [.dense(8), .relu, .dense(2)])
    static let deep = experiment("deep", layers: [.dense(8), .tanh, .dense(16), .tanh, .dense(2)], seed: 7)

    static func request(matched: Bool = true, seeds: [UInt64]? = [11, 12, 13], widths: [Int]? = nil) -> SweepPlan.Request {
        SweepPlan.Request(files: [.init(path: "a.yaml", experiment: narrow, text: "name: narrow"),
                                  .init(path: "dir with space/b.yaml", experiment: deep, text: nil)],
                          modes: [.none, .gd, .pb], seeds: seeds, widths: widths, epochs: 3, matched: matched, threads: 1)
    }

    @Test func expandsFilesModesAndSeedsThenOneMatchedBaselinePerDendriteRun() throws {
        let plan = try SweepPlan.expand(Self.request(), directory: "/sweeps/s1")
        // 2 files x 3 modes x 3 seeds runs, then gd and pb of each: 2 x 2 x 3 baselines.
        #expect(plan.tasks.count == 18 + 12)
        #expect(plan.runCount == 18)
        #expect(plan.tasks.map(\.index) == Array(0..<30))
        #expect(plan.tasks.prefix(4).map(\.folder) == ["narrow-none-seed11", "narrow-none-seed12", "narrow-none-seed13", "narrow-gd-seed11"])
        #expect(plan.tasks[17].folder == "deep-pb-seed13")
        #expect(plan.tasks[0].experiment?.epochs == 3 && plan.tasks[0].experiment?.seed == 11)
        #expect(plan.tasks[4].experiment?.mode == .gd && plan.tasks[4].experiment?.seed == 12)
        #expect(plan.tasks[9].source == "dir with space/b.yaml" && plan.tasks[9].experiment?.name == "deep")
        // Stage two: no experiment yet (its width needs the run's final size), points at its run.
        for t in plan.tasks[18...] {
            let run = plan.tasks[t.matches!]
            #expect(t.experiment == nil && t.mode == .none && run.mode != .none && run.matches == nil)
            #expect(t.folder == run.folder + "-matched" && t.seed == run.seed)
        }
        #expect(Set(plan.tasks[18...].map { $0.matches! }).count == 12)
        #expect(plan.matchedTask[3] == 18 && plan.matchedTask[0] == nil)
        #expect(plan.tasks[7].command == "dendrite-lab sweep task /sweeps/s1 7")
        #expect(Set(plan.tasks.map(\.folder)).count == 30)
        #expect(plan.sources == ["a.yaml": "name: narrow"])
    }

    @Test func withoutMatchedOrSeedsEachFileUsesItsOwnSeed() throws {
        let plan = try SweepPlan.expand(Self.request(matched: false, seeds: nil), directory: "/s")
        #expect(plan.tasks.map(\.folder) == ["narrow-none-seed1", "narrow-gd-seed1", "narrow-pb-seed1",
                                             "deep-none-seed7", "deep-gd-seed7", "deep-pb-seed7"])
        #expect(plan.runCount == 6 && plan.matchedTask.isEmpty)
    }

    @Test func widthsSetTheNarrowestHiddenLayerAndScaleTheOthers() throws {
        let plan = try SweepPlan.expand(Self.request(matched: false, seeds: [1], widths: [4, 16]), directory: "/s")
        #expect(plan.tasks.count == 2 * 2 * 3)
        #expect(plan.tasks.prefix(4).map(\.folder) == ["narrow-w4-none-seed1", "narrow-w4-gd-seed1", "narrow-w4-pb-seed1", "narrow-w16-none-seed1"])
        #expect(plan.tasks[0].label == "narrow w4" && plan.tasks[0].width == 4)
        #expect(plan.tasks[0].experiment?.network.hiddenWidths == [4])
        #expect(plan.tasks[3].experiment?.network.hiddenWidths == [16])
        // deep is 8-16: narrowest 8 -> 4 halves the other, 16 doubles it.
        #expect(plan.tasks[6].experiment?.network.hiddenWidths == [4, 8])
        #expect(plan.tasks[9].experiment?.network.hiddenWidths == [16, 32])
        let single = Self.experiment("single", layers: [.dense(1)])
        #expect(throws: ConfigError.self) {
            try SweepPlan.expand(.init(files: [.init(path: "x.yaml", experiment: single, text: nil)], modes: [.none], widths: [4]), directory: "/s")
        }
    }

    @Test func theSameRequestGivesTheSamePlanBytes() throws {
        let a = try SweepPlan.expand(Self.request(), directory: "/s").json()
        let b = try SweepPlan.expand(Self.request(), directory: "/s").json()
        #expect(a == b)
        let other = try SweepPlan.expand(Self.request(seeds: [11, 12]), directory: "/s").json()
        #expect(a != other)
        // Written and read back, the plan is unchanged.
        let tmp = TempFolder()
        defer { tmp.remove() }
        let dir = URL(fileURLWithPath: tmp.path)
        try a.write(to: SweepPlan.url(in: dir))
        #expect(try SweepPlan.read(from: dir) == SweepPlan.expand(Self.request(), directory: "/s"))
        try Data("{\"tasks\": 3}".utf8).write(to: SweepPlan.url(in: dir))
        #expect(throws: FileError.self) { try SweepPlan.read(from: dir) }
    }

    @Test func twoExperimentsWithOneNameAreRefused() {
        let r = SweepPlan.Request(files: [.init(path: "a.yaml", experiment: Self.narrow, text: nil),
                                          .init(path: "b.yaml", experiment: Self.narrow, text: nil)], modes: [.none])
        #expect(throws: ConfigError.self) { try SweepPlan.expand(r, directory: "/s") }
    }

    @Test func matchedBaselineIsSizedFromTheFinishedRun() {
        let run = { var e = Self.narrow; e.mode = .gd; return e }()
        func summary(params: Int, sets: Int) -> RunSummary {
            RunSummary(name: "narrow", dataset: "spiral", mode: "gd", seed: 1, parameters: params, dendriteSets: sets,
                       bestValidationAccuracy: 0.5, bestEpoch: 1, testAccuracy: 0.5, testLoss: 1, finalTestAccuracy: 0.5,
                       epochs: 5, wallSeconds: 1, samplesPerSecond: 1)
        }
        guard case .run(let m, let label) = MatchedBaseline.resolve(parent: run, parentLabel: "narrow", summary: summary(params: 100, sets: 1)) else {
            Issue.record("expected a baseline")
            return
        }
        // 2-H-2 with biases has 5H+2 parameters: H=20 gives exactly 102, the closest to 100.
        #expect(m.network.hiddenWidths == [20] && m.mode == .none && label == "narrow plain h20")
        #expect(MatchedBaseline.resolve(parent: run, parentLabel: "narrow", summary: summary(params: 100, sets: 0))
                == .skip(reason: "narrow (gd, seed 1) grew no dendrites: the plain run of the same network is its match."))
    }

    @Test func numberListsReadRangesAndWriteThemBack() {
        #expect(NumberList.parse("1-5") == [1, 2, 3, 4, 5])
        #expect(NumberList.parse("1,2, 3") == [1, 2, 3])
        #expect(NumberList.parse("1-3,7") == [1, 2, 3, 7])
        for bad in ["", "1,", "x", "5-1", "1-2-3", "-1"] { #expect(NumberList.parse(bad) == nil, "\(bad)") }
        #expect(NumberList.ranges([8, 0, 1, 2, 5, 7]) == "0-2,5,7-8")
        #expect(NumberList.ranges([3]) == "3")
    }

    @Test func shellQuotingSurvivesSpacesAndQuotes() throws {
        #expect(ShellQuote.word("/plain/path-1.x") == "/plain/path-1.x")
        #expect(ShellQuote.word("a b") == "'a b'")
        #expect(ShellQuote.word("it's") == "'it'\\''s'")
    }
}
