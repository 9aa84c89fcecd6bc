import ContainerMetrics
import Testing

@Suite("Prometheus text exposition")
struct PrometheusTextTests {
    @Test("a family is HELP then TYPE, its samples below, in the order written")
    func layout() {
        var text = PrometheusText()
        text.family("a_bytes", .gauge, help: "A figure.")
        text.sample("a_bytes", ["pod": "web", "container": "app"], UInt64(5))
        text.sample("a_bytes", [:], UInt64(0))
        text.family("b_total", .counter, help: "A count.")
        text.sample("b_total", ["x": "1"], UInt64(2))
        text.family("c", .untyped, help: "")
        text.sample("c", [:], Int64(-3))
        #expect(
            text.text == """
                # HELP a_bytes A figure.
                # TYPE a_bytes gauge
                a_bytes{pod="web",container="app"} 5
                a_bytes 0
                # HELP b_total A count.
                # TYPE b_total counter
                b_total{x="1"} 2
                # HELP c \n# TYPE c untyped
                c -3

                """)
    }

    @Test("label values escape backslash, double quote and newline; help escapes backslash and newline only")
    func escaping() {
        var text = PrometheusText()
        text.family("m", .gauge, help: "back\\slash \"quoted\"\nsecond line")
        text.sample("m", ["v": "a\\b\"c\nd", "plain": "ü ok"], UInt64(1))
        let lines = text.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == #"# HELP m back\\slash "quoted"\nsecond line"#)
        #expect(lines[1] == "# TYPE m gauge")
        #expect(lines[2] == #"m{v="a\\b\"c\nd",plain="ü ok"} 1"#)
        #expect(lines.count == 4 && lines[3].isEmpty)
    }

    @Test(
        "numbers: integers in full, floating point as Prometheus parses it",
        arguments: [
            (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1.05, "1.05"), (0.2, "0.2"),
            (2, "2.0"), (-0.5, "-0.5"), (1e-7, "1e-07"),
        ])
    func doubles(value: Double, expected: String) {
        var text = PrometheusText()
        text.sample("d", [:], value)
        #expect(text.text == "d \(expected)\n")
        // What Prometheus (Go's ParseFloat) would read back.
        let written = String(text.text.dropFirst(2).dropLast())
        let parsed = written == "+Inf" ? Double.infinity : Double(written)
        #expect(parsed.map { $0 == value || ($0.isNaN && value.isNaN) } == true)
    }

    @Test("integers: the full range of UInt64 and Int64, never in exponent form")
    func integers() {
        var text = PrometheusText()
        text.sample("u", [:], UInt64.max)
        text.sample("i", [:], Int64.min)
        text.sample("z", ["a": ""], UInt64(0))
        #expect(text.text == "u 18446744073709551615\ni -9223372036854775808\nz{a=\"\"} 0\n")
    }

    @Test("another registry's exposition is appended as it is; labels add in order")
    func appendAndAdding() {
        var text = PrometheusText(capacity: 16)
        text.append(exposition: Array("# TYPE x counter\nx 1\n".utf8))
        let labels: PrometheusText.Labels = ["a": "1"]
        text.sample("y", labels.adding("b", "2").adding("a", "3"), UInt64(4))
        #expect(text.text == "# TYPE x counter\nx 1\ny{a=\"1\",b=\"2\",a=\"3\"} 4\n")
        #expect(labels.adding("b", "2") == PrometheusText.Labels([(name: "a", value: "1"), (name: "b", value: "2")]))
        #expect(labels.adding("b", "2") != labels.adding("b", "3"))
    }
}
