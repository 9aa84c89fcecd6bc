extension StringProtocol {
    /// The text without leading and trailing spaces and tabs, as kube-router trims annotation values.
    func trimmingSpaces() -> String {
        var text = self[...]
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
