import Foundation
import Testing
@testable import dendrite_lab
import DendriteCore
import DendriteLab

/// `compare --widths` end to end on toy data: rows grouped by family and width, a dANN
/// file with its param-matched plain MLP, front.png, merging folders with several
/// `--from`; and the front picture itself, probed pixel by pixel.
@Suite struct FrontCommandTests {
    static func write(_ name: String, layers: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent("\(name).yaml")
        try """
            name: \(name)
            dataset: {name: gaussians, count: 200, test_count: 200, validation: 0.2}
            network: {input: [2], layers: [\(layers)]}
            mode: none
            optimizer: {kind: adam, lr: 0.01}
            epochs: 3
            batch_size: 32
            seed: 1
            """.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func compareOverWidthsGroupsFamiliesAndMatchesADann() throws {
        let dir = CLI.temporaryFolder("front")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try Self.write("toy-plain", layers: "dense 4, relu, dense 2", in: dir)
        let dann = try Self.write("toy-dann", layers: "dendritic 4x2x2 random, dense 2", in: dir)
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b"), merged = dir.appendingPathComponent("m")
        let r = try CLI.run(["compare", dann, plain, "--modes", "none", "--widths", "2,8", "--seeds", "1,2", "--threads", "1", "--out", a.path])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let md = try String(contentsOf: a.appendingPathComponent("compare.md"), encoding: .utf8)
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| toy") }.map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        // Family, width: each family's widths together, in order; the dANN's matched MLP is its own family.
        #expect(rows.map { "\($0[0]) \($0[1])" }.prefix(6) == ["toy-dann 2", "toy-dann 8", "toy-dann: plain, matched 2",
                                                              "toy-dann: plain, matched 8", "toy-plain 2", "toy-plain 8"], "\(md)")
        #expect(md.contains("| family | width | experiment |") && md.contains("matches dANN"), "\(md)")
        // dANN 2 somas x 2 dendrites x 2 inputs + dense 2: 2*2*3 + 2*3 + 2*2 + 2 = 24 parameters.
        #expect(rows.first?[5] == "24", "\(md)")
        #expect(md.contains("Against the plain front") && md.contains("| toy-dann | 2 | 24 |"), "\(md)")
        let csv = try String(contentsOf: a.appendingPathComponent("compare.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasSuffix(",family,width,wall_seconds") == true)
        #expect(csv.count == 1 + 12, "4 runs per family: \(csv)")
        let png = try Data(contentsOf: a.appendingPathComponent("front.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 5_000)

        // One family per folder, merged into one table and front.
        let r2 = try CLI.run(["compare", plain, "--modes", "none", "--widths", "2,8", "--seeds", "1,2", "--out", b.path])
        #expect(r2.status == 0, "stderr: \(r2.stderr)")
        let m = try CLI.run(["compare", "--from", a.path, "--from", b.path, "--out", merged.path])
        #expect(m.status == 0, "stderr: \(m.stderr)")
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("front.png").path))
        let mcsv = try String(contentsOf: merged.appendingPathComponent("compare.csv"), encoding: .utf8).split(separator: "\n")
        #expect(mcsv.count == 1 + 12 + 4)
    }

    @Test func theFrontDrawsOneLineInItsFamilysColourBetweenItsPoints() throws {
        func s(_ f: String, _ w: Int, _ p: Int, _ a: Double, _ plain: Bool) -> ParameterFront.Sample {
            .init(family: f, width: w, parameters: p, accuracy: a, isPlain: plain)
        }
        let front = ParameterFront([s("mnist-plain", 8, 1_000, 0.90, true), s("mnist-plain", 8, 1_000, 0.91, true),
                                    s("mnist-plain", 32, 10_000, 0.95, true), s("mnist-plain", 32, 10_000, 0.96, true),
                                    s("mnist-dann", 16, 800, 0.80, false), s("mnist-dann", 64, 4_000, 0.97, false)])
        let (off, layout) = try FrontPlot.draw(front, title: "test")
        #expect(layout.points.map(\.count) == [2, 2] && layout.colors[0] == FrontPlot.plainColor && layout.colors[1] != layout.colors[0])
        for (points, color) in zip(layout.points, layout.colors) {
            // Midway along the segment the line's colour is there; far below the plot is not.
            let mid = Vec2((points[0].x + points[1].x) / 2, (points[0].y + points[1].y) / 2)
            #expect(off.pixel(x: Int(mid.x), y: Int(mid.y)) == color, "at \(mid)")
            #expect(points[0].x < points[1].x)
        }
        #expect(off.pixel(x: 5, y: 5) != layout.colors[1])
        #expect(FrontPlot.shortNames(["mnist-plain", "mnist-dann + GD"]) == ["plain", "dann + GD"])
    }
}
