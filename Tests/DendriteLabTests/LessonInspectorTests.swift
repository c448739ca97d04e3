@preconcurrency import CSDL2
import Testing
import DendriteCore
@testable import DendriteLab

extension LabSuite {
    /// `inspector: true` in a step's settings block opens the inspector for that step
    /// (lessons hide it by default), so its activation curve is on screen.
    @Suite struct LessonInspectorTests {
        static let text = """
            ---
            title: Curves
            dataset: {name: corners, count: 40}
            network: {layers: [dense 1]}
            mode: gd
            epochs: 2
            ---
            ## Without
            Text.
            ## With
            Text.
            ```yaml lab
            inspector: true
            ```
            ## After
            Text.
            """

        @Test func aStepCanOpenTheInspectorAndTheLearnerCanCloseIt() throws {
            let lesson = try LessonLoader.parse(Self.text, file: "t.md")
            #expect(lesson.steps.map(\.showsInspector) == [false, true, false])
            #expect(!LabController(lesson: lesson).state.showInspector)
            #expect(LabController(lesson: lesson, step: 1).state.showInspector)
            let c = LabController(lesson: lesson)
            c.handle(keyEvent(SDLK_PAGEDOWN))
            #expect(c.state.showInspector)
            #expect(c.state.layout.inspector.h > 100 && c.state.layout.inspector.maxX <= c.state.layout.lesson.minX)
            // A step without the key leaves the learner's choice alone.
            c.handle(keyEvent(SDLK_PAGEDOWN))
            #expect(c.state.showInspector)
            c.handle(keyEvent(SDLK_i))
            c.handle(keyEvent(SDLK_PAGEUP))
            #expect(c.state.showInspector, "the step opens it again")
        }

        @Test func theKeyMustBeABoolean() {
            let bad = Self.text.replacingOccurrences(of: "inspector: true", with: "inspector: maybe")
            #expect(throws: ConfigError.self) { try LessonLoader.parse(bad, file: "t.md") }
        }
    }
}
