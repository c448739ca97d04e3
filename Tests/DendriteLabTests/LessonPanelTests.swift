import Foundation
@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

/// A three-step lesson on a small XOR network; step 2 switches to PB mode.
func testLesson(longBody: Bool = false) throws -> Lesson {
    let filler = longBody
        ? (1...40).map { "Paragraph \($0) explains **one more** thing about dendrites, at some length." }.joined(separator: "\n\n")
        : ""
    let text = """
        ---
        name: test-lesson
        title: Dendrites in three steps
        dataset: {name: xor, count: 120}
        network: {layers: [dense 4, tanh, dense 2]}
        mode: none
        seed: 5
        epochs: 10
        ---
        Introduction with *style*.

        ## A plain network
        Press **Space** and watch `xor`.

        - first point
        - second point

        What you should see: accuracy rises.

        \(filler)

        ```yaml lab
        expect:
          train_accuracy: ">= 0.6"
        ```

        ## Perforated backpropagation
        Now with dendrites.

        ```yaml lab
        mode: pb
        seed: 9
        ```

        ## Last
        The end.
        """
    return try LessonLoader.parse(text, file: "test-lesson.md")
}

/// A wheel notch (positive y: away from the user, scroll up).
func wheelEvent(y: Int32) -> SDL_Event {
    var e = SDL_Event()
    e.type = SDL_MOUSEWHEEL.rawValue
    e.wheel.type = SDL_MOUSEWHEEL.rawValue
    e.wheel.y = y
    return e
}

extension LabSuite {
    @Suite struct LessonPanelTests {
        @Test func lessonStartsAtItsFirstStepWithThePanelInPlaceOfTheInspector() throws {
            let lesson = try testLesson()
            let c = LabController(lesson: lesson)
            #expect(c.state.stepIndex == 0)
            #expect(c.state.lessonSteps == 3)
            #expect(c.session.config.mode == .none)
            #expect(!c.state.showInspector)
            let l = c.state.layout
            #expect(l.lesson.w >= 340)
            for r in [l.network, l.data, l.curves] {
                #expect(r.maxX <= l.lesson.minX, "\(r) overlaps the lesson panel \(l.lesson)")
            }
            // L hides the panel and gives its room back; L again shows it.
            c.handle(keyEvent(SDLK_l))
            #expect(!c.state.lessonOpen)
            #expect(c.state.layout.lesson.w == 0)
            #expect(c.state.layout.data.maxX > l.lesson.minX)
            c.handle(keyEvent(SDLK_l))
            #expect(c.state.layout == l)
            // I brings the inspector back next to the lesson.
            c.handle(keyEvent(SDLK_i))
            #expect(c.state.layout.inspector.h > 100)
            #expect(c.state.layout.inspector.maxX <= c.state.layout.lesson.minX)
        }

        @Test func pageDownAdvancesOneStepAndTrainsItsSettingsFromTheStart() throws {
            let lesson = try testLesson()
            let c = LabController(lesson: lesson)
            c.handle(keyEvent(SDLK_e))
            #expect(c.session.batchesRun > 0)
            #expect(c.handle(keyEvent(SDLK_PAGEDOWN)) == [.nextStep])
            #expect(c.state.stepIndex == 1)
            #expect(c.session.config.mode == .pb)
            #expect(c.session.config.seed == 9)
            #expect(c.session.config.experiment == LabConfig(experiment: lesson.steps[1].experiment).experiment)
            #expect(c.session.batchesRun == 0)
            #expect(c.session.history.isEmpty)
            // Reset means the step's own initial weights (its seed), not a continuation.
            let fresh = LabSession(config: LabConfig(experiment: lesson.steps[1].experiment))
            #expect(c.session.network.parameters.map(\.value.storage) == fresh.initialParameters.map(\.storage))
        }

        @Test func pageUpAtTheFirstStepStaysAndKeepsTraining() throws {
            let c = LabController(lesson: try testLesson())
            c.handle(keyEvent(SDLK_e))
            let trained = c.session.batchesRun
            #expect(c.handle(keyEvent(SDLK_PAGEUP)) == [.previousStep])
            #expect(c.state.stepIndex == 0)
            #expect(c.session.batchesRun == trained)
            #expect(c.session.config.mode == .none)
        }

        @Test func pageDownAtTheLastStepStaysAndPageUpGoesBack() throws {
            let c = LabController(lesson: try testLesson(), step: 2)
            #expect(c.state.stepIndex == 2)
            c.handle(keyEvent(SDLK_PAGEDOWN))
            #expect(c.state.stepIndex == 2)
            c.handle(keyEvent(SDLK_PAGEUP))
            #expect(c.state.stepIndex == 1)
            #expect(c.session.config.mode == .pb)
            c.handle(keyEvent(SDLK_PAGEUP))
            #expect(c.state.stepIndex == 0)
            #expect(c.session.config.mode == .none)
        }

        @Test func panelButtonsStepForwardAndBack() throws {
            let c = LabController(lesson: try testLesson())
            let parts = LessonPanel.parts(of: c.state.layout.lesson)
            // No previous step yet: the Prev button does nothing.
            #expect(c.handle(clickEvent(at: parts.previous.center)).isEmpty)
            #expect(c.handle(clickEvent(at: parts.next.center)) == [.nextStep])
            #expect(c.state.stepIndex == 1)
            #expect(c.handle(clickEvent(at: parts.previous.center)) == [.previousStep])
            #expect(c.state.stepIndex == 0)
        }

        @Test func panelDrawsTheStepTextInsideItsRect() throws {
            let c = LabController(lesson: try testLesson())
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            c.draw(off.canvas)
            let t = off.canvas.theme
            let parts = LessonPanel.parts(of: c.state.layout.lesson)
            let header = inkedPixels(off, in: parts.header.inset(4), background: t.panel)
            let body = inkedPixels(off, in: parts.body.inset(4), background: t.panel)
            #expect(header > 300, "title and step line should be drawn, got \(header) inked pixels")
            #expect(body > 1500, "the step's Markdown should be drawn, got \(body) inked pixels")
            // The callout gets its tinted band: some pixels are neither white nor text-dark.
            let greenish = off.pixels(in: parts.body).filter { Int($0.g) > Int($0.r) + 6 && $0.g > 200 }.count
            #expect(greenish > 200, "the 'What you should see:' callout should be shaded")

            // Another step shows other text.
            let before = off.pixels(in: parts.body)
            c.handle(keyEvent(SDLK_PAGEDOWN))
            c.draw(off.canvas)
            #expect(off.pixels(in: parts.body) != before)
        }

        @Test func wheelOverTheLongPanelScrollsItsBody() throws {
            let c = LabController(lesson: try testLesson(longBody: true))
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            c.draw(off.canvas)
            #expect(c.state.lessonMaxScroll > 200, "40 paragraphs must not fit: \(c.state.lessonMaxScroll)")
            let body = LessonPanel.parts(of: c.state.layout.lesson).body
            let before = off.pixels(in: body)
            // Over the network view the wheel does nothing; over the panel it scrolls.
            c.handle(motionEvent(at: c.state.layout.network.center))
            #expect(c.handle(wheelEvent(y: -1)).isEmpty)
            c.handle(motionEvent(at: body.center))
            c.handle(wheelEvent(y: -2))
            #expect(c.state.lessonScroll == 120)
            c.draw(off.canvas)
            #expect(off.pixels(in: body) != before)
            c.handle(wheelEvent(y: 100))
            #expect(c.state.lessonScroll == 0)
            c.handle(wheelEvent(y: -1000))
            #expect(c.state.lessonScroll == c.state.lessonMaxScroll)
        }

        @Test func playPausesOnceAtTheStepsEpochBudget() throws {
            let lesson = try testLesson()
            let c = LabController(lesson: lesson)
            c.handle(keyEvent(SDLK_SPACE))
            var frames = 0
            while c.state.playing && frames < 20_000 { c.tick(budget: 1); frames += 1 }
            #expect(c.session.trainer.epoch == lesson.steps[0].experiment.epochs)
            #expect(c.session.trainer.batchInEpoch == 0)
            // Space trains on past the budget without stopping again.
            c.handle(keyEvent(SDLK_SPACE))
            for _ in 0..<200 { c.tick(budget: 1) }
            #expect(c.state.playing)
            #expect(c.session.trainer.epoch > lesson.steps[0].experiment.epochs)
        }

        @Test func goalsShowTheStepsExpectationsWithLiveValues() throws {
            let lesson = try testLesson()
            #expect(lesson.steps[0].expectations.count == 1)
            let e = lesson.steps[0].expectations[0]
            #expect(LessonPanel.goalText(e) == "train accuracy ≥ 60%")
            let c = LabController(lesson: lesson)
            let off = try Offscreen(width: c.state.width, height: c.state.height)
            c.draw(off.canvas)
            let goals = LessonPanel.parts(of: c.state.layout.lesson, goals: 1).goals
            #expect(goals.h > 40)
            #expect(inkedPixels(off, in: goals.inset(2), background: Color(hex: 0xF6F7F9)) > 200)
            // Step 2 has no goals: the body takes the room.
            #expect(LessonPanel.parts(of: c.state.layout.lesson, goals: 0).goals.h == 0)
        }

        @Test func stepTitlesLoseTheirOwnNumbering() {
            #expect(LessonPanel.displayTitle("Step 1: watch a line try") == "watch a line try")
            #expect(LessonPanel.displayTitle("2. Add a dendrite") == "Add a dendrite")
            #expect(LessonPanel.displayTitle("3 dendrites beat 12 neurons") == "3 dendrites beat 12 neurons")
            #expect(LessonPanel.displayTitle("Stepping back") == "Stepping back")
        }

        /// A table lays out as aligned columns inside the panel: no pipes drawn, every
        /// cell of a column at one x, a cell too wide for its share cut with "…".
        @Test func tablesLayOutAsColumnsInsideThePanel() {
            let measure: LessonPanel.Measure = { s, f in Float(s.count) * 7 }
            let blocks = MarkdownText.parse("""
                | seed | narrow + PB dendrites, very long | plain |
                |---|---|---|
                | 2 | 100% (960 parameters) | 66.7% |
                | 4 | 80.0% (170) | 53.3% |
                """)
            let layout = LessonPanel.layout(blocks, width: 200, theme: .standard, measure: measure)
            #expect(layout.lines.count == 3)
            #expect(layout.lines.allSatisfy { $0.pieces.count == 3 && !$0.pieces.contains { $0.text.contains("|") } })
            for c in 0..<3 { #expect(Set(layout.lines.map { $0.pieces[c].x }).count == 1) }
            for line in layout.lines { #expect(line.pieces.allSatisfy { $0.x + $0.width <= 200 }) }
            #expect(layout.lines[0].pieces[0].text == "seed" && layout.lines[0].pieces[0].font.bold)
            #expect(layout.lines[0].pieces[1].text.hasSuffix("…"))
            #expect(layout.bands.count == 1)
        }

        @Test func wrappedLinesStayInsideTheColumn() {
            // 7 pixels per character: a stand-in for the font that makes widths predictable.
            let measure: LessonPanel.Measure = { s, f in Float(s.count) * (f.mono ? 8 : 7) }
            let blocks = MarkdownText.parse("""
                A fairly long paragraph with **bold words** and `code spans` that must wrap over several lines.

                - a list item that is also long enough to wrap at least once here

                    dendrite-lab train experiments/mnist-mlp-narrow.yaml --mode none --out runs/narrow-none
                """)
            let layout = LessonPanel.layout(blocks, width: 200, theme: .standard, measure: measure)
            #expect(layout.lines.count >= 5)
            for line in layout.lines {
                for p in line.pieces {
                    let bare = p.text.hasSuffix(" ") ? String(p.text.dropLast()) : p.text
                    #expect(p.x + measure(bare, p.font) <= 200, "'\(p.text)' at \(p.x) runs past the column")
                }
            }
            // The long code line breaks into marked continuation lines.
            let code = layout.lines.filter { $0.pieces.first?.font.mono == true && $0.pieces.count == 1 }
            #expect(code.count >= 3)
            #expect(code.dropFirst().allSatisfy { $0.pieces[0].text.hasPrefix("↪ ") })
            #expect(code.map { $0.pieces[0].text.replacingOccurrences(of: "↪ ", with: "") }.joined()
                    == "dendrite-lab train experiments/mnist-mlp-narrow.yaml --mode none --out runs/narrow-none")
            // Continuation lines of the list item hang under its text, not under the bullet.
            let itemLines = layout.lines.filter { !($0.pieces.first?.font.mono ?? false) }.suffix(2)
            #expect(itemLines.allSatisfy { $0.pieces.last!.x >= 22 })
            let text = layout.lines.flatMap(\.pieces).map(\.text).joined()
            #expect(text.contains("bold words"))
            #expect(!text.contains("**"))
        }
    }
}
