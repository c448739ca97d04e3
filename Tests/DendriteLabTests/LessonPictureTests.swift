import Foundation
import Testing
import DendriteCore
@testable import DendriteLab

/// Lessons 1-4 rendered offscreen at the moments their text describes show what the text
/// says: a decision surface that is not uniform, lesson 3 an error map, lesson 4 the
/// candidate's map beside it; for one logistic output and for softmax alike.
extension LabSuite {
    @Suite struct LessonPictureTests {
        static let lessons = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lessons").path

        /// The lesson file `number`, optionally with its output layer made softmax over two units.
        static func lesson(_ number: Int, softmax: Bool) throws -> Lesson {
            let file = try LessonLoader.lessonFiles(in: lessons).first { ($0 as NSString).lastPathComponent.hasPrefix(String(format: "%02d-", number)) }!
            var text = try String(contentsOfFile: file, encoding: .utf8)
            if softmax { text = text.replacingOccurrences(of: "layers: [dense 1]}", with: "layers: [dense 2]}") }
            return try LessonLoader.parse(text, file: file)
        }

        /// Renders `step` at its moment; returns the controller and the offscreen picture.
        static func render(_ lesson: Lesson, step: Int) throws -> (LabController, Offscreen) {
            var state = LabState()
            state.width = 1280
            state.height = 800
            let c = LabController(lesson: lesson, step: step, state: state)
            #expect(c.playToMoment(maxEpochs: lesson.steps[step].experiment.epochs), "\(lesson.file) step \(step + 1) never reached its moment")
            let off = try Offscreen(width: 1280, height: 800)
            c.draw(off.canvas)
            return (c, off)
        }

        /// Standard deviation of the pixels' brightness in `r` (0 for a uniform area).
        static func spread(_ off: Offscreen, _ r: Rect) -> Double {
            let inner = Rect(x: r.x + 3, y: r.y + 3, w: r.w - 6, h: r.h - 6)
            let v = off.pixels(in: inner).map { Double(Int($0.r) + Int($0.g) + Int($0.b)) / 3 }
            let m = v.reduce(0, +) / Double(max(v.count, 1))
            return (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(v.count, 1))).squareRoot()
        }

        /// Pixels in `r` close to the signed scale's negative / positive colour.
        static func signedInk(_ off: Offscreen, _ r: Rect, theme t: Theme) -> (negative: Int, positive: Int) {
            let px = off.pixels(in: r)
            let neg = Color.mix(t.scale.color(-1), Color(hex: 0xFFFFFF), 0.25), pos = Color.mix(t.scale.color(1), Color(hex: 0xFFFFFF), 0.25)
            return (px.filter { distance($0, neg) < 90 }.count, px.filter { distance($0, pos) < 90 }.count)
        }

        @Test(arguments: [false, true])
        func lessonsOneToFourShowANonUniformDataView(softmax: Bool) throws {
            for (number, step) in [(1, 0), (2, 0), (3, 0), (4, 0), (4, 1)] {
                let (c, off) = try Self.render(try Self.lesson(number, softmax: softmax), step: step)
                let data = c.state.layout.data
                let plots = c.state.selected == nil ? [DataView.plotRect(in: data)] : [DataView.pairRects(in: data).0, DataView.pairRects(in: data).1]
                for p in plots {
                    let s = Self.spread(off, p)
                    #expect(s > 12, "lesson \(number) step \(step + 1) softmax \(softmax): data view plot \(p) is nearly uniform (sd \(s))")
                }
            }
        }

        @Test(arguments: [false, true])
        func lessonThreeShowsTheOutputsErrorMapWithBothSigns(softmax: Bool) throws {
            let (c, off) = try Self.render(try Self.lesson(3, softmax: softmax), step: 0)
            let sel = try #require(c.state.selected)
            #expect(sel.column == 1 && sel.branch == nil)
            let errorPlot = DataView.pairRects(in: c.state.layout.data).1
            let ink = Self.signedInk(off, errorPlot, theme: .standard)
            // XOR-shaped leftover error: both "too low" and "too high" regions, each a large part of the map.
            let area = Int(errorPlot.w * errorPlot.h)
            #expect(ink.negative > area / 16 && ink.positive > area / 16, "error map ink \(ink) of \(area)")
        }

        @Test(arguments: [false, true])
        func lessonFourShowsTheCandidateBesideTheErrorMap(softmax: Bool) throws {
            let (c, off) = try Self.render(try Self.lesson(4, softmax: softmax), step: 0)
            let sel = try #require(c.state.selected)
            #expect(sel.branch != nil, "no candidate selected")
            #expect(c.session.phase == .dendrite)
            let (candidate, error) = DataView.pairRects(in: c.state.layout.data)
            #expect(Self.spread(off, candidate) > 12)
            let ink = Self.signedInk(off, error, theme: .standard)
            #expect(ink.negative > 100 && ink.positive > 100, "error map ink \(ink)")
        }
    }
}
