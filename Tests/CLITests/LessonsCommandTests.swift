import Foundation
import Testing

@Suite struct LessonsCommandTests {
    static let lessons = ReadmeTests.root.appendingPathComponent("lessons").path

    @Test func checkPassesOnEveryShippedLesson() throws {
        let r = try CLI.run(["lessons", "--check", "--lessons", Self.lessons])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count >= 8)
    }

    @Test func listShowsNumberedTitles() throws {
        let r = try CLI.run(["lessons", "--lessons", Self.lessons])
        #expect(r.status == 0)
        #expect(r.stdout.contains(" 1  The point neuron"))
    }

    @Test func brokenLessonFailsWithFileAndLine() throws {
        let dir = CLI.temporaryFolder("lessons")
        let file = dir.appendingPathComponent("01-broken.md").path
        try "---\ntitle: Broken\ndataset: xor\nnetwork: {layers: [dense 1]}\nepochs: 3\n---\n## Step\ntext\n\n```yaml lab\nmode: sideways\n```\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["lessons", "--check", file])
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(lines.first?.contains("\(file):11:") == true, "\(r.stderr)")
    }
}
