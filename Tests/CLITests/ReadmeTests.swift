import Foundation
import Testing

/// The README promises a newcomer exactly two commands, and CI runs the second one.
@Suite struct ReadmeTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Indented command lines of the "Two commands" section.
    static func commands() throws -> [String] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## Two commands") else { return [] }
        let section = readme[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.hasPrefix("## ") }
        return section.filter { $0.hasPrefix("    ") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func readmeGivesExactlyTwoSetupCommands() throws {
        let cmds = try Self.commands()
        #expect(cmds.count == 2, "\(cmds)")
        #expect(cmds.first?.contains("dendrite-lab") == true)
        #expect(cmds.last?.contains("swift test") == true)
        #expect(cmds.allSatisfy { $0.hasPrefix("scripts/setup.sh && ") })
    }

    @Test func ciRunsTheReadmeTestCommandAndInstallsWhatSetupInstalls() throws {
        let ci = try String(contentsOf: Self.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        let setup = try String(contentsOf: Self.root.appendingPathComponent("scripts/setup.sh"), encoding: .utf8)
        // CI extracts the command from README (the first indented line with `swift test`).
        #expect(ci.contains("sed -n 's/^    \\(.*swift test.*\\)$/\\1/p' README.md"))
        // CI installs through setup.sh (one package list), with the cluster packages, and
        // starts the one-node Slurm cluster before the tests.
        let lines = ci.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let setupAt = lines.firstIndex { $0.hasPrefix("scripts/setup.sh --cluster") }
        let slurmAt = lines.firstIndex { $0.hasPrefix("scripts/slurm-local.sh start") }
        let testAt = lines.firstIndex { $0.contains("bash -c \"$cmd\"") }
        #expect(setupAt != nil && slurmAt != nil && testAt != nil, "\(ci)")
        if let setupAt, let slurmAt, let testAt { #expect(setupAt < slurmAt && slurmAt < testAt) }
        #expect(!lines.contains { $0.contains("apt-get install") }, "CI keeps its own package list")
        for pkg in ["libopenblas-dev", "zlib1g-dev", "libsdl2-dev", "libsdl2-ttf-dev", "libsdl2-image-dev", "fonts-dejavu-core",
                    "slurm-wlm", "munge"] {
            #expect(setup.contains(pkg), "setup.sh does not install \(pkg)")
        }
    }
}
