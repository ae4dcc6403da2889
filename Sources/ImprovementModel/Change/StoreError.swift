/// Why the store refused an operation, in words the person at the device can act on.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(type: String, id: String)
    case invalidChange(id: String, reason: String)
    case replicaMismatch(stored: String, requested: String)
    case corrupt(String)
    case database(String)

    /// What went wrong, for the person at the device.
    public var description: String {
        switch self {
        case .notFound(let type, let id):
            return "There is no \(type) \"\(id)\" on this device."
        case .invalidChange(let id, let reason):
            return "Change \(id) was refused and nothing in its batch was applied: \(reason)"
        case .replicaMismatch(let stored, let requested):
            return "This store belongs to replica \(stored), not \(requested). Use the store's own replica id."
        case .corrupt(let detail):
            return "The store holds data this version cannot read (\(detail)). Restore it from a backup or sync afresh."
        case .database(let detail):
            return "The database on this device reported an error: \(detail). Nothing was saved; try again, "
                + "and if it keeps happening check the free disk space."
        }
    }
}
