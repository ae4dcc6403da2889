/// Who may write what: the one place the rules are evaluated, by the server for every pushed
/// change and by a device before it writes anything (Protocol/README.md section 9.2). The rules
/// themselves are each record type's `EntityType.writers`.
///
/// Pure functions: the answer depends on the record type, its site and the account only, so the
/// device and the server always agree. (The server also checks that a change's site is the one it
/// holds for the record; that part needs its storage and stays on the server.)
public enum PermissionRules {
    /// Why the account may not write a record of `type` that belongs to `site` (nil: a record
    /// shared by every site), in the server's words; nil when it may.
    public static func refusal(type: String, site: String?, account: AccountScope) -> String? {
        if account.role == .viewer { return "a viewer account can read but not send changes" }
        let known = EntityType.named(type)
        let rule = known?.writers ?? .unknownType
        if account.role < rule.onOwnSites {
            guard known != nil else { return "members record \(memberRecords) only" }
            return "only \(rule.onOwnSites == .admin ? "admins" : "coordinators and admins") change \(rule.noun)"
        }
        guard let site else {
            if account.role >= rule.shared { return nil }
            return "only admins change \(type) records shared by every site"
        }
        guard account.belongs(to: site) else { return "the account does not belong to site \(site)" }
        return nil
    }

    /// Why the account may not make this change, in the server's words; nil when it may. Besides
    /// the type's rule, a change must agree with itself: the `site` field it writes is the site it
    /// is sent for, and a site belongs to itself.
    public static func refusal(for change: Change, account: AccountScope) -> String? {
        if account.role == .viewer { return refusal(type: change.type, site: change.site, account: account) }
        if let claimed = change.fields["site"], claimed != (change.site.map(FieldValue.text) ?? .null) {
            return "its site field does not match the site it is sent for"
        }
        if change.type == EntityType.site.name, change.site != change.entity { return "a site belongs to itself" }
        return refusal(type: change.type, site: change.site, account: account)
    }

    /// "observations, annotations, PDSA cycles and stories": what members may record.
    private static let memberRecords: String = {
        let nouns = EntityType.all.filter { $0.writers.onOwnSites == .member }.map(\.writers.noun)
        guard nouns.count > 1 else { return nouns.first ?? "nothing" }
        return nouns.dropLast().joined(separator: ", ") + " and " + nouns.last!
    }()
}

/// A write this device's account may not make, refused before anything was written.
public struct WriteRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The record type and id of the change refused.
    public var type: String
    /// The record's id.
    public var entity: String
    /// The rule's words, the same the server would answer.
    public var reason: String
    /// The account the device writes as.
    public var account: AccountScope

    package init(type: String, entity: String, reason: String, account: AccountScope) {
        self.type = type
        self.entity = entity
        self.reason = reason
        self.account = account
    }

    /// The refusal in the device's words, ending "Nothing was saved."
    public var description: String {
        "The \(type) \(entity) was refused: \(reason) (this device's account: \(account)). Ask a coordinator "
            + "to make this change, or run improve sync if your role has changed. Nothing was saved."
    }
}
