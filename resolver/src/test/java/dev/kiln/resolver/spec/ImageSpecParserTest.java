package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.spec.ImageSpec.Accounts;
import dev.kiln.resolver.spec.ImageSpec.Group;
import dev.kiln.resolver.spec.ImageSpec.Layering;
import dev.kiln.resolver.spec.ImageSpec.PathEntry;
import dev.kiln.resolver.spec.ImageSpec.PathRule;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import dev.kiln.resolver.spec.ImageSpec.Port;
import dev.kiln.resolver.spec.ImageSpec.User;
import dev.kiln.resolver.debian.VersionRelation;
import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSpecParserTest {
    private static final String MINIMAL = """
            contents:
              repositories: [deb http://mirror.example/debian bookworm main]
              packages: [base-files]
            """;

    private static final String FULL = """
            contents:
              repositories:
                - deb [signed-by=keys/debian-bookworm-stable.asc] ${DEBIAN_MIRROR} bookworm main
                - deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main
              packages:
                - base-files
                - libc6 (>= 2.36)
                - libssl3=3.0.15-1~deb12u1
              exclude: [debconf]
              skip-dependencies:
                libc6: [libgcc-s1]
                base-files: [awk, mawk]
              recommends: true
              path-filter:
                - exclude: /usr/share/doc/*
                - include: /usr/share/doc/*/copyright
            archs: [x86_64, arm64]
            accounts:
              groups:
                - {groupname: nonroot, gid: 65532, members: [nonroot]}
              users:
                - username: nonroot
                  uid: 65532
                  gid: 65532
                  homedir: /home/nonroot
                  shell: /sbin/nologin
              run-as: 65532
            entrypoint:
              command: /usr/bin/openssl
            cmd: version
            work-dir: /home/nonroot
            environment:
              SSL_CERT_FILE: /etc/ssl/certs/ca-certificates.crt
              A_NUMBER: 1.0
              PATH: /usr/bin:/bin
            paths:
              - {path: /tmp, type: directory, permissions: 0o1777}
              - {path: /var/cache/app, type: directory, uid: 65532, gid: 65532, permissions: 0755, recursive: true}
              - {path: /etc/app.conf, type: empty-file, permissions: '0644'}
              - {path: /usr/bin/app, type: symlink, source: /opt/app/bin/app}
            annotations:
              org.opencontainers.image.title: base
              org.opencontainers.image.description: distroless-like base
            stop-signal: SIGTERM
            volumes: [/data]
            ports: [8080/tcp, 53/udp, 9090]
            layering: {strategy: origin, budget: 5}
            """;

    private static ImageSpec parse(String yaml) {
        return ImageSpecParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "spec.yaml");
    }

    private static String error(String yaml) {
        return assertThrows(SpecException.class, () -> parse(yaml)).getMessage();
    }

    // ---- a spec that uses every key

    @Test
    void aFullSpecParsesToTheValuesWritten() {
        ImageSpec spec = parse(FULL);

        assertEquals(Path.of("spec.yaml"), spec.source());
        assertEquals(Digest.of(FULL.getBytes(StandardCharsets.UTF_8)), spec.digest());

        assertEquals(List.of("deb [signed-by=keys/debian-bookworm-stable.asc] ${DEBIAN_MIRROR} bookworm main",
                        "deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main"),
                spec.contents().repositories().stream().map(SourceLine::written).toList());
        assertEquals(List.of("keys/debian-bookworm-stable.asc"), spec.contents().repositories().get(0).signedBy());
        assertEquals(List.of(
                        PackageRequest.of("base-files"),
                        new PackageRequest("libc6", Optional.of(new VersionConstraint(VersionRelation.LATER_OR_EQUAL, "2.36"))),
                        new PackageRequest("libssl3", Optional.of(new VersionConstraint(VersionRelation.EQUAL, "3.0.15-1~deb12u1")))),
                spec.contents().packages());
        assertEquals(List.of("debconf"), spec.contents().exclude());
        assertEquals(Map.of("libc6", List.of("libgcc-s1"), "base-files", List.of("awk", "mawk")), spec.contents().skipDependencies());
        assertEquals(List.of("libc6", "base-files"), List.copyOf(spec.contents().skipDependencies().keySet()));
        assertTrue(spec.contents().recommends());
        assertEquals(List.of(new PathRule(false, PathGlob.parse("/usr/share/doc/*")),
                        new PathRule(true, PathGlob.parse("/usr/share/doc/*/copyright"))),
                spec.contents().pathFilter());
        assertEquals("path-include=/usr/share/doc/*/copyright", spec.contents().pathFilter().get(1).dpkgOption());

        assertEquals(List.of("amd64", "arm64"), spec.archs());

        assertEquals(new Accounts(
                        List.of(new Group("nonroot", 65532, List.of("nonroot"))),
                        List.of(new User("nonroot", 65532, 65532, Optional.of("/home/nonroot"), Optional.of("/sbin/nologin"))),
                        Optional.of("65532")),
                spec.accounts());
        assertEquals(Optional.of("/usr/bin/openssl"), spec.entrypoint());
        assertEquals(Optional.of("version"), spec.cmd());
        assertEquals(Optional.of("/home/nonroot"), spec.workDir());
        assertEquals(List.of("SSL_CERT_FILE", "A_NUMBER", "PATH"), List.copyOf(spec.environment().keySet()));
        assertEquals("1.0", spec.environment().get("A_NUMBER"));
        assertEquals("/usr/bin:/bin", spec.environment().get("PATH"));

        assertEquals(List.of(
                        new PathEntry("/tmp", PathType.DIRECTORY, OptionalInt.of(01777), 0, 0, Optional.empty(), false),
                        new PathEntry("/var/cache/app", PathType.DIRECTORY, OptionalInt.of(0755), 65532, 65532, Optional.empty(), true),
                        new PathEntry("/etc/app.conf", PathType.EMPTY_FILE, OptionalInt.of(0644), 0, 0, Optional.empty(), false),
                        new PathEntry("/usr/bin/app", PathType.SYMLINK, OptionalInt.empty(), 0, 0, Optional.of("/opt/app/bin/app"), false)),
                spec.paths());
        assertEquals(List.of("org.opencontainers.image.title", "org.opencontainers.image.description"),
                List.copyOf(spec.annotations().keySet()));
        assertEquals(Optional.of("SIGTERM"), spec.stopSignal());
        assertEquals(List.of("/data"), spec.volumes());
        assertEquals(List.of(new Port(8080, "tcp"), new Port(53, "udp"), new Port(9090, "tcp")), spec.ports());
        assertEquals(new Layering(Layering.Strategy.ORIGIN, 5), spec.layering());
    }

    @Test
    void aMinimalSpecGetsTheDefaults() {
        ImageSpec spec = parse(MINIMAL);
        assertEquals(List.of("amd64"), spec.archs());
        assertFalse(spec.contents().recommends());
        assertEquals(List.of(), spec.contents().exclude());
        assertEquals(Map.of(), spec.contents().skipDependencies());
        assertEquals(List.of(), spec.contents().pathFilter());
        assertEquals(Accounts.NONE, spec.accounts());
        assertEquals(Optional.empty(), spec.entrypoint());
        assertEquals(Optional.empty(), spec.cmd());
        assertEquals(Map.of(), spec.environment());
        assertEquals(List.of(), spec.paths());
        assertEquals(Layering.NONE, spec.layering());
    }

    @Test
    void theDigestIsOfTheExactBytes() {
        assertNotEquals(parse(MINIMAL).digest(), parse(MINIMAL + "# a comment\n").digest());
    }

    @Test
    void parsingAFileKeepsItsPathAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("image.yaml");
        Files.writeString(file, MINIMAL);
        assertEquals(file, ImageSpecParser.parse(file).source());

        Files.writeString(file, "contents: []\n");
        SpecException e = assertThrows(SpecException.class, () -> ImageSpecParser.parse(file));
        assertTrue(e.getMessage().startsWith(file + ":1: contents: "), e.getMessage());
        assertEquals(Optional.of(file.toString()), e.file());
    }

    @Test
    void aMissingFileIsASpecError(@TempDir Path dir) {
        SpecException e = assertThrows(SpecException.class, () -> ImageSpecParser.parse(dir.resolve("nope.yaml")));
        assertEquals(dir.resolve("nope.yaml") + ": no such file; check the path to the image spec", e.getMessage());
        assertEquals("spec.not-found", e.code());
    }

    // ---- archs

    @Test
    void archsAcceptApkoNamesAndNormalizeThem() {
        ImageSpec spec = parse(MINIMAL + "archs: [x86_64, aarch64, ppc64le, riscv64]\n");
        assertEquals(List.of("amd64", "arm64", "ppc64el", "riscv64"), spec.archs());
    }

    @Test
    void archsListedTwiceUnderDifferentNamesAreAnError() {
        assertEquals("spec.yaml:4: archs[1]: 'amd64' is listed twice (first at line 4); remove one",
                error(MINIMAL + "archs: [amd64, x86_64]\n"));
    }

    @Test
    void anUnknownArchIsNamed() {
        String message = error(MINIMAL + "archs:\n  - amd64\n  - sparc\n");
        assertTrue(message.startsWith("spec.yaml:6: archs[1]: unknown architecture 'sparc'; use one of amd64, arm64"), message);
    }

    // ---- errors name file, line and key

    @Test
    void aBadPackageNameNamesFileLineAndItem() {
        String message = error("""
                contents:
                  repositories:
                    - deb http://mirror.example/debian bookworm main
                  packages:
                    - base-files
                    - netbase
                    - Lib C6
                """);
        assertEquals("spec.yaml:7: contents.packages[2]: expected a package name like 'libc6', 'libc6 (>= 2.36)'"
                + " or 'libc6=2.36-9+deb12u14', found 'Lib C6'", message);
    }

    @Test
    void anUnknownKeySuggestsTheClosestKnownOne() {
        String message = error("""
                contents:
                  repositories: [deb http://mirror.example/debian bookworm main]
                  pakages: [base-files]
                """);
        assertEquals("spec.yaml:3: contents.pakages: unknown key; did you mean 'packages'?", message);
    }

    @Test
    void anApkoStyleUnderscoreKeySuggestsTheHyphenatedOne() {
        assertEquals("spec.yaml:4: work_dir: unknown key; did you mean 'work-dir'?", error(MINIMAL + "work_dir: /home\n"));
    }

    @Test
    void anUnknownKeyFarFromAnyListsTheKnownOnes() {
        String message = error(MINIMAL + "flavour: vanilla\n");
        assertTrue(message.startsWith("spec.yaml:4: flavour: unknown key; the keys here are contents, archs, accounts, "), message);
    }

    @Test
    void aMapWhereAListBelongsNamesTheExpectedType() {
        String message = error("""
                contents:
                  repositories: [deb http://mirror.example/debian bookworm main]
                  packages:
                    libc6: yes
                """);
        assertEquals("spec.yaml:4: contents.packages: expected a list of package names, found a mapping", message);
    }

    @Test
    void aStringWhereAMappingBelongsNamesTheExpectedType() {
        assertEquals("spec.yaml:4: entrypoint: expected a mapping like {command: /usr/bin/openssl}, found '/usr/bin/openssl'",
                error(MINIMAL + "entrypoint: /usr/bin/openssl\n"));
    }

    @Test
    void missingContentsIsAnError() {
        assertEquals("spec.yaml:1: contents: missing; declare contents.repositories and contents.packages",
                error("archs: [amd64]\n"));
    }

    @Test
    void missingRepositoriesIsAnError() {
        String message = error("contents:\n  packages: [base-files]\n");
        assertTrue(message.startsWith("spec.yaml:2: contents.repositories: missing; list the Debian repositories"), message);
    }

    @Test
    void emptyPackagesIsAnError() {
        String message = error("contents:\n  repositories: [deb http://mirror.example/debian bookworm main]\n  packages: []\n");
        assertEquals("spec.yaml:3: contents.packages: is empty; list at least one package, e.g. '- base-files'", message);
    }

    @Test
    void packagesWithNoValueIsAnError() {
        String message = error("contents:\n  repositories: [deb http://mirror.example/debian bookworm main]\n  packages:\n");
        assertTrue(message.startsWith("spec.yaml:3: contents.packages: is empty;"), message);
    }

    @Test
    void aBadSourceLineIsPlacedAtItsItem() {
        String message = error("""
                contents:
                  repositories:
                    - deb http://mirror.example/debian bookworm main
                    - deb [trusted=yes] http://other.example/debian bookworm main
                  packages: [base-files]
                """);
        assertTrue(message.startsWith("spec.yaml:4: contents.repositories[1]: unknown source option 'trusted=yes'"), message);
    }

    @Test
    void aPackageListedTwiceNamesBothLines() {
        String message = error("""
                contents:
                  repositories: [deb http://mirror.example/debian bookworm main]
                  packages:
                    - libc6
                    - libc6 (>= 2.36)
                """);
        assertEquals("spec.yaml:5: contents.packages[1]: 'libc6' is listed twice (first at line 4); remove one", message);
    }

    @Test
    void aPackageCannotBeBothRequestedAndExcluded() {
        String message = error(MINIMAL + "  exclude: [base-files]\n");
        assertTrue(message.startsWith("spec.yaml:4: contents.exclude[0]: 'base-files' is also in contents.packages"), message);
    }

    @Test
    void skipDependenciesNeedsPackageNamesAsKeysAndLists() {
        assertTrue(error(MINIMAL + "  skip-dependencies:\n    Libc6: [libgcc-s1]\n")
                .startsWith("spec.yaml:5: contents.skip-dependencies.Libc6: expected a package name as the key, found 'Libc6'"));
        assertEquals("spec.yaml:5: contents.skip-dependencies.libc6: expected a list of package names, found 'libgcc-s1'",
                error(MINIMAL + "  skip-dependencies:\n    libc6: libgcc-s1\n"));
    }

    @Test
    void recommendsMustBeABoolean() {
        assertEquals("spec.yaml:4: contents.recommends: expected true or false, found 'sometimes'",
                error(MINIMAL + "  recommends: sometimes\n"));
    }

    @Test
    void aKeyGivenTwiceIsAnError() {
        assertEquals("spec.yaml:5: cmd: key given twice (first at line 4); keep one of them", error(MINIMAL + "cmd: a\ncmd: b\n"));
    }

    @Test
    void invalidYamlNamesTheLineOfTheProblem() {
        String message = error("contents:\n  repositories: [deb http://mirror.example/debian bookworm main\n  packages: [base-files]\n");
        assertTrue(message.startsWith("spec.yaml:3: invalid YAML: "), message);
    }

    @Test
    void anEmptyFileIsAnError() {
        assertEquals("spec.yaml:1: the file is empty; an image spec is a mapping with at least 'contents'", error(""));
    }

    @Test
    void aSecondDocumentIsAnError() {
        assertTrue(error(MINIMAL + "---\n" + MINIMAL).startsWith("spec.yaml:5: a second YAML document starts here"));
    }

    @Test
    void aliasesAreRefused() {
        String message = error(MINIMAL + "cmd: &c version\nenvironment: {CMD: *c}\n");
        assertEquals("spec.yaml:5: environment.CMD: YAML aliases (*c) are not supported; write the value out in full", message);
    }

    // ---- accounts

    @Test
    void aUserNeedsAUid() {
        assertEquals("spec.yaml:6: accounts.users[0].uid: missing; give the user id, e.g. uid: 65532",
                error(MINIMAL + "accounts:\n  users:\n    - {username: nonroot, gid: 65532}\n"));
    }

    @Test
    void idsAreDecimalAndInRange() {
        assertEquals("spec.yaml:6: accounts.groups[0].gid: expected an id from 0 to 4294967294, found -1",
                error(MINIMAL + "accounts:\n  groups:\n    - {groupname: nonroot, gid: -1}\n"));
        assertEquals("spec.yaml:6: accounts.groups[0].gid: expected an id from 0 to 4294967294, found 4294967295",
                error(MINIMAL + "accounts:\n  groups:\n    - {groupname: nonroot, gid: 4294967295}\n"));
    }

    @Test
    void runAsTakesANameAUidOrAPair() {
        assertEquals(Optional.of("nonroot"), parse(MINIMAL + "accounts: {run-as: nonroot}\n").accounts().runAs());
        assertEquals(Optional.of("65532:65532"), parse(MINIMAL + "accounts: {run-as: '65532:65532'}\n").accounts().runAs());
        assertTrue(error(MINIMAL + "accounts: {run-as: 'Non Root'}\n").startsWith("spec.yaml:4: accounts.run-as: expected a user name or uid"));
    }

    // ---- path-filter

    private static final String CONTENTS = """
            contents:
              repositories: [deb http://mirror.example/debian bookworm main]
              packages: [base-files]
            """;

    @Test
    void aPathFilterRuleNeedsExactlyOneOfExcludeOrInclude() {
        assertEquals("spec.yaml:5: contents.path-filter[0]: a rule needs exactly one of exclude or include;"
                        + " write one rule per item: - exclude: /usr/share/doc/*  then  - include: /usr/share/doc/*/copyright",
                error(CONTENTS + "  path-filter:\n    - {exclude: /usr/share/doc/*, include: /usr/share/doc/*/copyright}\n"));
        assertTrue(error(CONTENTS + "  path-filter:\n    - {remove: /usr/share/doc/*}\n")
                .startsWith("spec.yaml:5: contents.path-filter[0].remove: unknown key"));
    }

    @Test
    void aBadPathPatternNamesTheReason() {
        assertEquals("spec.yaml:5: contents.path-filter[0].exclude: bad pattern 'usr/share/doc/*': a pattern must be absolute"
                        + " (start with '/'), as dpkg matches it against /usr/...;"
                        + " patterns are dpkg's: * and ? match any character including '/', [a-z] one of a set",
                error(CONTENTS + "  path-filter:\n    - exclude: usr/share/doc/*\n"));
        assertTrue(error(CONTENTS + "  path-filter:\n    - include: '/usr/share/[doc'\n").contains("not closed"));
    }

    // ---- paths

    @Test
    void permissionsAcceptBothOctalForms() {
        ImageSpec spec = parse(MINIMAL + "paths:\n  - {path: /a, type: permissions, permissions: 0o755}\n"
                + "  - {path: /b, type: permissions, permissions: 0755}\n  - {path: /c, type: permissions, permissions: 0}\n");
        assertEquals(List.of(OptionalInt.of(0755), OptionalInt.of(0755), OptionalInt.of(0)),
                spec.paths().stream().map(PathEntry::permissions).toList());
    }

    @Test
    void decimalPermissionsAreRefusedAsAmbiguous() {
        assertEquals("spec.yaml:5: paths[0].permissions: expected a mode in octal like 0o755 or 0755, found '755';"
                        + " write modes in octal with a leading 0o, e.g. 0o755; decimal 755 would be 0o1363",
                error(MINIMAL + "paths:\n  - {path: /a, type: permissions, permissions: 755}\n"));
    }

    @Test
    void permissionsAboveTheModeBitsAreRefused() {
        assertTrue(error(MINIMAL + "paths:\n  - {path: /a, type: directory, permissions: 0o17777}\n")
                .startsWith("spec.yaml:5: paths[0].permissions: mode 0o17777 is more than 0o7777"));
    }

    @Test
    void aSymlinkNeedsASource() {
        assertTrue(error(MINIMAL + "paths:\n  - {path: /a, type: symlink}\n")
                .startsWith("spec.yaml:5: paths[0].source: missing; give the symlink's target"));
    }

    @Test
    void theSamePathChangeTwiceIsAnError() {
        assertEquals("spec.yaml:6: paths[1]: 'directory /tmp' is listed twice (first at line 5); remove one",
                error(MINIMAL + "paths:\n  - {path: /tmp, type: directory}\n  - {path: /tmp, type: directory, permissions: 0o1777}\n"));
    }

    @Test
    void anUnknownPathTypeListsTheTypes() {
        assertEquals("spec.yaml:5: paths[0].type: expected one of directory, file, empty-file, symlink, hardlink, permissions, found 'dir'",
                error(MINIMAL + "paths:\n  - {path: /a, type: dir}\n"));
    }

    @Test
    void aDirectoryOrFileWithASourceCopiesItAndTheSourceIsKeptAsWritten() {
        ImageSpec spec = parse(MINIMAL + "paths:\n"
                + "  - {path: /app, type: directory, source: ./app, uid: 65532, gid: 65532, permissions: 0o750}\n"
                + "  - {path: /etc/app.conf, type: file, source: ../shared/app.conf}\n"
                + "  - {path: /srv, type: directory, source: www, recursive: true}\n"
                + "  - {path: /tmp, type: directory, permissions: 0o1777}\n");
        assertEquals(List.of(
                        new PathEntry("/app", PathType.DIRECTORY, OptionalInt.of(0750), 65532, 65532, Optional.of("./app"), false),
                        new PathEntry("/etc/app.conf", PathType.FILE, OptionalInt.empty(), 0, 0, Optional.of("../shared/app.conf"), false),
                        new PathEntry("/srv", PathType.DIRECTORY, OptionalInt.empty(), 0, 0, Optional.of("www"), true)),
                spec.copies());
        assertFalse(spec.paths().get(3).copiesSource(), "a directory without a source only makes the directory");
    }

    @Test
    void aSpecErrorKeepsItsPlaceAndItsHintApartForPrograms() {
        SpecException e = assertThrows(SpecException.class, () -> parse(MINIMAL + "paths:\n  - {path: /a, type: file, source: /etc/x}\n"));
        assertEquals("spec.yaml:5: paths[0].source: '/etc/x' is an absolute path, and local sources come only from inside the"
                + " build context", e.description());
        assertEquals(Optional.of("copy what you need beside the spec and name it from there, e.g. source: ./x"), e.fix());
        assertEquals("spec.copy-outside-context", e.code());
    }

    @Test
    void anAbsoluteSourceIsRefusedWhenTheSpecIsRead() {
        assertEquals("spec.yaml:5: paths[0].source: '/etc/shadow' is an absolute path, and local sources come only from inside"
                        + " the build context; copy what you need beside the spec and name it from there, e.g. source: ./shadow",
                error(MINIMAL + "paths:\n  - {path: /etc/shadow, type: file, source: /etc/shadow}\n"));
    }

    @Test
    void aFileNeedsASource() {
        assertEquals("spec.yaml:5: paths[0].source: missing; give the local file to copy, e.g. source: ./app.conf"
                        + " (relative to the spec's directory), or use type: empty-file",
                error(MINIMAL + "paths:\n  - {path: /etc/app.conf, type: file}\n"));
    }

    @Test
    void anEmptyFileOrAPermissionsChangeTakesNoSource() {
        assertEquals("spec.yaml:5: paths[0].source: type empty-file takes no source; to copy a local file, write type: file",
                error(MINIMAL + "paths:\n  - {path: /a, type: empty-file, source: ./a}\n"));
        assertEquals("spec.yaml:6: paths[0].source: type permissions takes no source; remove it, or change the type",
                error(MINIMAL + "paths:\n  - path: /a\n    source: ./a\n    type: permissions\n    permissions: 0o755\n"));
    }

    @Test
    void aFileCannotBeRecursive() {
        assertEquals("spec.yaml:5: paths[0].recursive: only a directory or permissions change can be recursive",
                error(MINIMAL + "paths:\n  - {path: /a, type: file, source: ./a, recursive: true}\n"));
    }

    @Test
    void onePathCopiedToTwiceIsAnError() {
        assertEquals("spec.yaml:6: paths[1]: '/app' is copied to twice (first at line 5); copy each path once",
                error(MINIMAL + "paths:\n  - {path: /app, type: directory, source: ./a}\n  - {path: /app, type: file, source: ./b}\n"));
    }

    @Test
    void aPathHoldingANulIsRefusedNamingTheNul() {
        assertEquals("spec.yaml:5: paths[0].path: the path holds a NUL character (after '/etc/a');"
                        + " a path cannot hold NUL (written \\0 in a double-quoted YAML string); remove it",
                error(MINIMAL + "paths:\n  - {path: \"/etc/a\\0b\", type: directory}\n"));
        assertTrue(error(MINIMAL + "paths:\n  - {path: /a, type: symlink, source: \"x\\0y\"}\n")
                .startsWith("spec.yaml:5: paths[0].source: the path holds a NUL character (after 'x')"));
        assertTrue(error(MINIMAL + "paths:\n  - {path: /a, type: file, source: \"x\\0y\"}\n")
                .startsWith("spec.yaml:5: paths[0].source: the path holds a NUL character (after 'x')"));
        assertTrue(error(MINIMAL + "work-dir: \"/home\\0\"\n").startsWith("spec.yaml:4: work-dir: the path holds a NUL character"));
    }

    @Test
    void aNameOverLinuxsLimitIsRefusedWhenTheSpecIsParsed() {
        String name = "n".repeat(256);
        assertEquals("spec.yaml:5: paths[0].path: the name '" + "n".repeat(40) + "... (216 more characters)' in the path is"
                        + " 256 bytes long, over Linux's limit of 255 for one name; shorten it",
                error(MINIMAL + "paths:\n  - {path: /srv/" + name + ", type: directory}\n"));
        // 255 bytes is allowed, counted in UTF-8 bytes, not characters: 128 two-byte letters are 256 bytes
        parse(MINIMAL + "paths:\n  - {path: /srv/" + "n".repeat(255) + ", type: directory}\n");
        assertTrue(error(MINIMAL + "paths:\n  - {path: /srv/" + "é".repeat(128) + ", type: directory}\n")
                .contains("is 256 bytes long, over Linux's limit of 255 for one name"));
        assertTrue(error(MINIMAL + "paths:\n  - {path: /a, type: symlink, source: " + name + "}\n")
                .startsWith("spec.yaml:5: paths[0].source: the name"));
    }

    @Test
    void aPathOverLinuxsLimitIsRefusedWhenTheSpecIsParsed() {
        String path = ("/" + "d".repeat(200)).repeat(20) + "/x"; // 4022 + 2 bytes: allowed
        parse(MINIMAL + "paths:\n  - {path: " + path + ", type: directory}\n");
        String longer = ("/" + "d".repeat(200)).repeat(21); // 4221 bytes
        assertTrue(error(MINIMAL + "paths:\n  - {path: " + longer + ", type: directory}\n")
                .startsWith("spec.yaml:5: paths[0].path: the path is 4221 bytes long ('/" + "d".repeat(39) + "... ("),
                "the message shows the start of the path, not all of it");
        assertTrue(error(MINIMAL + "paths:\n  - {path: " + longer + ", type: directory}\n")
                .endsWith("over Linux's limit of 4095; shorten it"));
        assertTrue(error(MINIMAL + "volumes: [" + longer + "]\n").startsWith("spec.yaml:4: volumes[0]: the path is 4221 bytes long"));
    }

    @Test
    void theLineOfEveryKeyIsKeptForChecksAfterParsing() {
        ImageSpec spec = parse(MINIMAL + "paths:\n  - {path: /tmp, type: directory}\n  - path: /app\n    type: directory\n    source: ./app\n");
        assertEquals(6, spec.line("paths[1]"));
        assertEquals(8, spec.line("paths[1].source"));
        assertEquals(0, spec.line("paths[2].source"));
    }

    @Test
    void aSourceIsANonEmptyLocalPathWithoutTildeOrControlCharacters() {
        assertEquals("spec.yaml:5: paths[0].source: expected a local path like ./app (relative to the spec's directory),"
                        + " found an empty value",
                error(MINIMAL + "paths:\n  - {path: /app, type: directory, source: }\n"));
        assertEquals("spec.yaml:5: paths[0].source: '~/app': kiln does not expand '~';"
                        + " write the path relative to the spec's directory",
                error(MINIMAL + "paths:\n  - {path: /app, type: directory, source: ~/app}\n"));
        assertTrue(error(MINIMAL + "paths:\n  - {path: /app, type: directory, source: \"a\\tb\"}\n")
                .startsWith("spec.yaml:5: paths[0].source: expected a local path without control characters"));
    }

    @Test
    void pathsMustBeAbsolute() {
        assertEquals("spec.yaml:4: work-dir: expected an absolute directory like /home/nonroot, found 'home/nonroot'",
                error(MINIMAL + "work-dir: home/nonroot\n"));
    }

    // ---- the other runtime keys

    @Test
    void portsMustBeInRange() {
        assertEquals("spec.yaml:4: ports[0]: port 70000 is outside 1 to 65535", error(MINIMAL + "ports: [70000/tcp]\n"));
        assertEquals("spec.yaml:4: ports[0]: expected a port like 8080, 8080/tcp or 53/udp, found '8080/http'",
                error(MINIMAL + "ports: [8080/http]\n"));
    }

    @Test
    void layeringOriginDefaultsItsBudget() {
        assertEquals(new Layering(Layering.Strategy.ORIGIN, Layering.DEFAULT_BUDGET),
                parse(MINIMAL + "layering: {strategy: origin}\n").layering());
        assertEquals("spec.yaml:4: layering.strategy: expected none or origin, found 'by-size'",
                error(MINIMAL + "layering: {strategy: by-size}\n"));
    }

    @Test
    void alternativesNameAChoiceAndOptionallyItsLink() {
        ImageSpec spec = parse(MINIMAL + "alternatives:\n  - {name: awk, path: /usr/bin/mawk}\n  - {name: vi, path: /usr/bin/busybox, link: /usr/bin/vi}\n");
        assertEquals(List.of(new ImageSpec.Alternative("awk", "/usr/bin/mawk", Optional.empty()),
                new ImageSpec.Alternative("vi", "/usr/bin/busybox", Optional.of("/usr/bin/vi"))), spec.alternatives());
        assertEquals(List.of(), parse(MINIMAL).alternatives());
    }

    @Test
    void alternativesAreCheckedWithTheirLine() {
        assertEquals("spec.yaml:5: alternatives[0].path: expected an absolute path like /usr/bin/mawk, found 'mawk'",
                error(MINIMAL + "alternatives:\n  - {name: awk, path: mawk}\n"));
        assertTrue(error(MINIMAL + "alternatives:\n  - {name: a/b, path: /usr/bin/mawk}\n")
                .startsWith("spec.yaml:5: alternatives[0].name: expected an alternative's name like java"));
        assertTrue(error(MINIMAL + "alternatives:\n  - {path: /usr/bin/mawk}\n").startsWith("spec.yaml:5: alternatives[0]"));
        assertTrue(error(MINIMAL + "alternatives:\n  - {name: awk, path: /usr/bin/mawk}\n  - {name: awk, path: /usr/bin/gawk}\n")
                .contains("'awk' is listed twice"));
    }

    @Test
    void environmentValuesMustNotBeEmpty() {
        assertEquals("spec.yaml:5: environment.FOO: expected a string value, found an empty value; write '' for an empty string",
                error(MINIMAL + "environment:\n  FOO:\n"));
        assertEquals("", parse(MINIMAL + "environment:\n  FOO: ''\n").environment().get("FOO"));
    }

    @Test
    void stopSignalIsASignalName() {
        assertEquals(Optional.of("SIGRTMIN+3"), parse(MINIMAL + "stop-signal: SIGRTMIN+3\n").stopSignal());
        assertTrue(error(MINIMAL + "stop-signal: TERM\n").startsWith("spec.yaml:4: stop-signal: expected a signal like SIGTERM"));
    }
}
