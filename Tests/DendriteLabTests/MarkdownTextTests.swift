import Testing
@testable import DendriteLab

/// The lesson panel's Markdown subset: blocks and inline styles.
@Suite struct MarkdownTextTests {
    typealias Run = MarkdownText.Run

    @Test func boldItalicAndCodeBecomeStyledRuns() {
        let runs = MarkdownText.inline("A **point** neuron *adds* its `inputs` and squashes.")
        #expect(runs == [Run("A "), Run("point", .bold), Run(" neuron "), Run("adds", .italic), Run(" its "),
                         Run("inputs", .code), Run(" and squashes.")])
    }

    @Test func emphasisNestsAndUnderscoreFormsWork() {
        let runs = MarkdownText.inline("__very *much* so__ and _this_")
        #expect(runs == [Run("very ", .bold), Run("much", [.bold, .italic]), Run(" so", .bold), Run(" and "),
                         Run("this", .italic)])
    }

    @Test func codeSpansKeepTheirMarkersLiteral() {
        let runs = MarkdownText.inline("set `max_dendrites: **2**` now")
        #expect(runs == [Run("set "), Run("max_dendrites: **2**", .code), Run(" now")])
    }

    /// `| a | b |` rows become one table block: the |---| row goes, cells keep their
    /// inline styles, and the first line that is not a row ends the table.
    @Test func pipeRowsBecomeATable() {
        let blocks = MarkdownText.parse("""
            Before:

            | seed | **PB** |
            |---|:---:|
            | 2 | 100% |
            | 1 | `60%` |
            After.
            """)
        #expect(blocks == [.paragraph([Run("Before:")]),
                           .table([[[Run("seed")], [Run("PB", .bold)]], [[Run("2")], [Run("100%")]], [[Run("1")], [Run("60%", .code)]]]),
                           .paragraph([Run("After.")])])
        #expect(MarkdownText.tableRow("a | b") == nil && MarkdownText.tableRow("|") == nil)
    }

    @Test func unmatchedMarkersAndSnakeCaseStayText() {
        #expect(MarkdownText.inline("2 * 3 = 6 and train_accuracy_x") == [Run("2 * 3 = 6 and train_accuracy_x")])
        #expect(MarkdownText.inline("a **b") == [Run("a **b")])
        #expect(MarkdownText.inline("a \\*b\\*") == [Run("a *b*")])
    }

    @Test func leadInsBecomeLabels() {
        let see = MarkdownText.inline("What you should see: the curve **drops**.")
        #expect(see.first == Run("What you should see:", .label))
        #expect(MarkdownText.plain(see) == "What you should see: the curve drops.")
        #expect(MarkdownText.inline("Try this: press D").first == Run("Try this:", .label))
        #expect(MarkdownText.inline("You may try this: later").allSatisfy { !$0.style.contains(.label) })
    }

    @Test func headingsParagraphsAndListsBecomeBlocks() {
        let md = """
            # Title
            ## Sub *title*

            First line
            joins the second.

            - one
            - two
              continues
            * three

            3. third
            4) fourth
            #not a heading
            """
        let blocks = MarkdownText.parse(md)
        #expect(blocks == [
            .heading(level: 1, runs: [Run("Title")]),
            .heading(level: 2, runs: [Run("Sub "), Run("title", .italic)]),
            .paragraph([Run("First line joins the second.")]),
            .bullet(depth: 0, runs: [Run("one")]),
            .bullet(depth: 0, runs: [Run("two continues")]),
            .bullet(depth: 0, runs: [Run("three")]),
            .numbered(number: 3, depth: 0, runs: [Run("third")]),
            .numbered(number: 4, depth: 0, runs: [Run("fourth #not a heading")]),
        ])
    }

    @Test func nestedBulletsCountTheirDepth() {
        let blocks = MarkdownText.parse("- outer\n  - inner\n    - innermost")
        #expect(blocks == [.bullet(depth: 0, runs: [Run("outer")]), .bullet(depth: 1, runs: [Run("inner")]),
                           .bullet(depth: 2, runs: [Run("innermost")])])
    }

    @Test func fencedAndIndentedCodeKeepLinesVerbatim() {
        let md = """
            Before.

            ```yaml
            mode: pb
            ## not a heading, **not bold**
            ```

                let x = 1
                  indented more

            After.
            """
        let blocks = MarkdownText.parse(md)
        #expect(blocks == [
            .paragraph([Run("Before.")]),
            .code(["mode: pb", "## not a heading, **not bold**"]),
            .code(["let x = 1", "  indented more"]),
            .paragraph([Run("After.")]),
        ])
    }

    @Test func anUnclosedFenceStillShowsItsCode() {
        #expect(MarkdownText.parse("```\nx = 1") == [.code(["x = 1"])])
    }
}
