import ArgumentParser
import ImprovementCore

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manages accounts and their tokens.", subcommands: [Add.self, Revoke.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Creates an account and prints its token, once, as the last word of the output.")

        @Argument(help: "Account name, e.g. sister.okafor or ward7-tablet.")
        var name: String
        @Option(help: "admin, coordinator, member or viewer.")
        var role: String
        @Option(help: "Comma-separated site ids the account belongs to (required except for admins).")
        var sites: String = ""
        @OptionGroup var storage: DatabaseOption

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let role = Role(rawValue: role)!
            let siteList = sites.split(separator: ",").map(String.init)
            // A refusal (AccountAdministration.Failure) is reported in its own words, with no usage text:
            // the command line was right, the request was not.
            let token = try await storage.withStorage { storage in
                try await AccountAdministration.add(name: name, role: role, sites: siteList, storage: storage)
            }
            let scope = role == .admin ? "every site" : "sites " + siteList.joined(separator: ", ")
            print("Created \(role.rawValue) account \(name) for \(scope).")
            print("Its token is shown only now; give it to the account holder and keep no other copy:")
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraws an account's token at once.")

        @Argument(help: "Account name.")
        var name: String
        @OptionGroup var storage: DatabaseOption

        func run() async throws {
            try await storage.withStorage { storage in
                try await AccountAdministration.revoke(name: name, storage: storage)
            }
            print("Revoked \(name): its token no longer works.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists accounts (never tokens).")

        @OptionGroup var storage: DatabaseOption

        func run() async throws {
            for account in try await storage.withStorage({ try await $0.accounts() }) {
                let sites = account.role == .admin ? "*" : account.sites.sorted().joined(separator: ",")
                print("\(account.name)\t\(account.role.rawValue)\t\(sites)\(account.revoked ? "\trevoked" : "")")
            }
        }
    }
}
