extension RandomAccessCollection where Index == Int {
    /// The first position whose element is not `isBelow` the sought one, in a collection sorted
    /// so that every element below comes first (`endIndex` when all are below): a binary
    /// search, O(log n).
    func firstPosition(notBelow isBelow: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let mid = low + (high - low) / 2
            if isBelow(self[mid]) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
