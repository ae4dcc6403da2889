import Foundation
import ImprovementCore
import Testing

@testable import ImprovementServer

/// What a pull page holds for an account, however its sites are read (on SQLite: one index range
/// per site merged, or one pass along the log when the account sees many sites).
@Suite("Pull scope")
struct PullScopeTests {
    static let sites = (0..<40).map { String(format: "site-%02d", $0) }
    static let admin = Account(name: "admin", role: .admin, sites: [])

    /// Awkward text in every string a page carries (the author) and in the stored fields.
    static let names = ["Amy", "Ben \"the nurse\" O'Neil", "back\\slash", "line\nbreak\ttab", "Zoë 🚑 €"]

    @Test(arguments: StorageBackend.allCases)
    func pagesHoldExactlyTheAccountsSitesAndGlobalChangesInLogOrderWithTheirText(
        backend: StorageBackend
    ) async throws {
        let seed =
            ProcessInfo.processInfo.environment["IMPROVE_PROPERTY_SEED"].flatMap(UInt64.init)
            ?? UInt64.random(in: 1...UInt64.max / 2)
        let context = "seed \(seed) (replay with IMPROVE_PROPERTY_SEED=\(seed))"
        var random = StorageMergeAgreementTests.Random(state: seed)
        let opened = try await backend.open()
        do {
            try await Self.check(opened.storage, random: &random, context: context)
        } catch {
            await opened.close()
            throw error
        }
        await opened.close()
    }

    static func check(
        _ storage: any SyncStorage, random: inout StorageMergeAgreementTests.Random, context: String
    ) async throws {

        // A log of 400 changes over 40 sites and global definitions, pushed in batches of 1-25.
        var log: [Change] = []
        var week = 0
        while log.count < 400 {
            var batch: [Change] = []
            for _ in 0..<Int.random(in: 1...25, using: &random) {
                let author = Self.names.randomElement(using: &random)!
                if Int.random(in: 0..<8, using: &random) == 0 {
                    batch.append(
                        Changes.make(
                            type: "measure", entity: "m-\(log.count + batch.count)", site: nil,
                            fields: ["name": .text("Falls \"per\" 1,000\n\(author)")], author: author))
                } else {
                    week += 1
                    let site = Self.sites.randomElement(using: &random)!
                    var change = Changes.observation(
                        site: site, unit: "unit-\(site)",
                        week: Day(year: 2020, month: 1, day: 6)!
                            .adding(days: 7 * week).description, author: author)
                    change.fields["note"] = .text(author)
                    batch.append(change)
                }
            }
            _ = try await storage.push(batch, by: Self.admin)
            log += batch
        }
        // Concurrent edits of some records (sites' and global ones), one push each: conflicts.
        for original in log.shuffled(using: &random).prefix(24) {
            let field = original.type == "measure" ? "name" : "numerator"
            for (replica, age, number) in [("ward-x", Int64(30_000), 7.0), ("ward-y", Int64(20_000), 8.0)] {
                // Two different values from one base: a conflict (the same value twice would agree).
                let value: FieldValue = original.type == "measure" ? .text("Renamed \(number)") : .number(number)
                let edit = Changes.make(
                    type: original.type, entity: original.entity, site: original.site, fields: [field: value],
                    replica: replica, millis: ServerHarness.now - age, base: [field: original.hlc])
                _ = try await storage.push([edit], by: Self.admin)
                log.append(edit)
            }
        }
        var allConflicts: [String: Conflict] = [:]
        var adminCursor: Int64 = 0
        while true {
            let page = try await storage.pull(after: adminCursor, limit: 1000, for: Self.admin)
            for conflict in page.conflicts { allConflicts[conflict.id] = conflict }
            adminCursor = page.cursor
            if !page.hasMore { break }
        }
        #expect(allConflicts.count == 24, "each record edited twice from one base holds a conflict, \(context)")

        // Accounts seeing no site, one, a few, as many as are merged, one more, and every site.
        var accounts = [Self.admin]
        for count in [0, 1, 3, SQLiteSyncStorage.mergedSitesLimit, SQLiteSyncStorage.mergedSitesLimit + 1, 40] {
            let sites = Set(Self.sites.shuffled(using: &random).prefix(count))
            accounts.append(Account(name: "member-\(count)", role: .member, sites: sites))
        }
        let byID = Dictionary(uniqueKeysWithValues: log.map { ($0.id, $0) })
        for account in accounts {
            let expected = log.filter { change in
                guard let site = change.site, let visible = account.visibleSites else { return true }
                return visible.contains(site)
            }.map(\.id)
            let limit = [1, 7, 50, 1000].randomElement(using: &random)!
            var cursor: Int64 = 0
            var seen: [PulledChange] = []
            var conflictIDs: Set<String> = []
            while true {
                let page = try await storage.pull(after: cursor, limit: limit, for: account)
                conflictIDs.formUnion(page.conflicts.map(\.id))
                #expect(page.changes.count <= limit, "\(account.name), \(context)")
                #expect(page.hasMore == (page.changes.count == limit && seen.count + limit < expected.count))
                // The page's JSON holds the same changes, each with its text as it was pushed.
                let answer = try JSONParser.parse(page.changesAndConflictsJSON + Array("}".utf8))
                guard case .object(let members) = answer, case .array(let items)? = members["changes"] else {
                    Issue.record("a page is an object with a changes array, \(context)")
                    return
                }
                #expect(items.count == page.changes.count)
                for (item, pulled) in zip(items, page.changes) {
                    let (change, seq) = try ChangeWire.change(from: item, path: "change", allowSeq: true)
                    #expect(seq == pulled.seq && change.id == pulled.id, "\(context)")
                    let pushed = try #require(byID[change.id])
                    #expect(change.author == pushed.author && change.fields == pushed.fields, "\(context)")
                    #expect(change.site == pushed.site && change.entity == pushed.entity && change.hlc == pushed.hlc)
                }
                seen += page.changes
                cursor = page.cursor
                if !page.hasMore { break }
            }
            let ids = seen.map(\.id)
            let firstDifference =
                (0..<min(ids.count, expected.count)).first { ids[$0] != expected[$0] } ?? min(ids.count, expected.count)
            #expect(
                ids == expected,
                "\(account.name) sees its sites' and the global changes: \(ids.count) seen, \(expected.count) expected, first difference at \(firstDifference), \(context)"
            )
            #expect(seen.map(\.seq) == seen.map(\.seq).sorted(), "in log order, \(context)")
            // Each conflict of a record the account may see reaches it with the pages, and no other.
            let visibleConflicts = allConflicts.values.filter { conflict in
                guard let site = conflict.site, let visible = account.visibleSites else { return true }
                return visible.contains(site)
            }
            #expect(conflictIDs == Set(visibleConflicts.map(\.id)), "\(account.name)'s conflicts, \(context)")
        }
    }
}
