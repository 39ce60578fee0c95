package dev.kiln.resolver.lock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.ResolveException;
import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LockJsonTest {
    private static final Digest SPEC = Digest.parse("6bb3eb6c1e7fce3589bd1b4e22e95b5c5944eea1b7f64ea5568a8afc72585d34");
    private static final Digest IN_RELEASE = Digest.parse("908972047f094fadcb5bd8e068672aa6624163bb39c63f329d0f5550fd03e663");
    private static final Digest SECURITY_RELEASE = Digest.parse("540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456");
    private static final Digest LIBC6 = Digest.parse("7e25b679b0f036e55265f30e7b3017b907a01963d099f8598c8f92e0be4f43a7");
    private static final Digest TZDATA = Digest.parse("41b16b0ca58568fbf733a5aba7db20a9645bde97c322749498fa8f6a93a5ea44");
    private static final Digest LIBC6_ARM64 = Digest.parse("70d04669d3a0661c7fc56b44f867d21251971fb318bc1d79b995815999e9837f");
    private static final String DEBIAN_KEY = "4CB50190207B4758A3F73A796ED0E7B82643E131";
    private static final String SECURITY_KEY = "ED541312A33F1128F10B1C6C54404762BBB6E853";
    private static final String WHAT = "images/base.lock.json";

    private static final Lock.Repository BOOKWORM = new Lock.Repository(
            "deb [signed-by=keys/debian.asc] ${DEBIAN_MIRROR} bookworm main",
            IN_RELEASE, Instant.parse("2024-06-29T09:41:37Z"), Optional.empty(), List.of(DEBIAN_KEY));
    private static final Lock.Repository SECURITY = new Lock.Repository(
            "deb [signed-by=keys/debian-security.asc arch=amd64] ${DEBIAN_SECURITY_MIRROR} bookworm-security main non-free-firmware",
            SECURITY_RELEASE, Instant.parse("2024-08-10T09:47:47.5Z"), Optional.of(Instant.parse("2024-08-17T09:47:47Z")),
            List.of(SECURITY_KEY, DEBIAN_KEY));

    private static final Lock.Package TZDATA_ALL = new Lock.Package("tzdata", "2024a-0+deb12u1", "all", "tzdata",
            "pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb", 256_212, TZDATA, 0);

    /** Two repositories, two architectures, an arch:all package in both, a package from the second repository. */
    private static Lock bookworm() {
        Map<String, Set<String>> skip = new LinkedHashMap<>();
        skip.put("tzdata", new LinkedHashSet<>(List.of("debconf-2.0", "debconf")));
        skip.put("libc6", Set.of("libgcc-s1"));
        Map<String, List<Lock.Package>> archs = new LinkedHashMap<>();
        archs.put("arm64", List.of(
                new Lock.Package("libc6", "2.36-9+deb12u7", "arm64", "glibc",
                        "pool/main/g/glibc/libc6_2.36-9+deb12u7_arm64.deb", 2_305_120, LIBC6_ARM64, 0),
                TZDATA_ALL));
        archs.put("amd64", List.of(
                new Lock.Package("libc6", "2.36-9+deb12u8", "amd64", "glibc",
                        "pool/updates/main/g/glibc/libc6_2.36-9+deb12u8_amd64.deb", 2_805_000, LIBC6, 1),
                TZDATA_ALL));
        return new Lock(Lock.VERSION, new Lock.Spec("images/base.yaml", SPEC), List.of(BOOKWORM, SECURITY),
                new Lock.Options(new LinkedHashSet<>(List.of("systemd", "perl-base")), skip, false),
                new TreeMap<>(archs));
    }

    /** The same lock built with every set and map in a different insertion order. */
    private static Lock bookwormInsertedOtherwise() {
        Lock l = bookworm();
        Map<String, Set<String>> skip = new LinkedHashMap<>();
        skip.put("libc6", new LinkedHashSet<>(List.of("libgcc-s1")));
        skip.put("tzdata", new LinkedHashSet<>(List.of("debconf", "debconf-2.0")));
        return new Lock(l.lockVersion(), l.spec(), l.repositories(),
                new Lock.Options(new LinkedHashSet<>(List.of("perl-base", "systemd")), skip, false), l.archs());
    }

    private static String written(Lock lock) {
        return new String(LockJson.write(lock), StandardCharsets.UTF_8);
    }

    private static Lock read(String json) {
        return LockJson.read(json.getBytes(StandardCharsets.UTF_8), WHAT);
    }

    /** The fixture's JSON with one piece replaced; fails if the piece is not there. */
    private static String bookwormJsonWith(String piece, String with) {
        String json = written(bookworm());
        assertTrue(json.contains(piece), piece);
        return json.replaceFirst(Pattern.quote(piece), Matcher.quoteReplacement(with));
    }

    private static ResolveException readError(String json) {
        return assertThrows(ResolveException.class, () -> read(json));
    }

    private static final String GOLDEN = """
            {
              "lockVersion": 1,
              "spec": {
                "path": "images/base.yaml",
                "digest": "sha256:6bb3eb6c1e7fce3589bd1b4e22e95b5c5944eea1b7f64ea5568a8afc72585d34"
              },
              "repositories": [
                {
                  "line": "deb [signed-by=keys/debian-security.asc arch=amd64] ${DEBIAN_SECURITY_MIRROR} bookworm-security main non-free-firmware",
                  "release": "sha256:540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456",
                  "date": "2024-08-10T09:47:47.500Z",
                  "validUntil": "2024-08-17T09:47:47Z",
                  "signedBy": [
                    "ED541312A33F1128F10B1C6C54404762BBB6E853",
                    "4CB50190207B4758A3F73A796ED0E7B82643E131"
                  ]
                }
              ],
              "options": {
                "exclude": [
                  "perl-base",
                  "systemd"
                ],
                "skipDependencies": {
                  "libc6": [
                    "libgcc-s1"
                  ],
                  "tzdata": [
                    "debconf",
                    "debconf-2.0"
                  ]
                },
                "recommends": true
              },
              "archs": {
                "amd64": [
                  {
                    "name": "libc6",
                    "version": "2.36-9+deb12u8",
                    "architecture": "amd64",
                    "source": "glibc",
                    "path": "pool/updates/main/g/glibc/libc6_2.36-9+deb12u8_amd64.deb",
                    "size": 2805000,
                    "sha256": "7e25b679b0f036e55265f30e7b3017b907a01963d099f8598c8f92e0be4f43a7",
                    "repository": 0
                  }
                ]
              }
            }
            """;

    @Test
    void writerOutputMatchesTheGoldenText() {
        Lock l = bookwormInsertedOtherwise();
        Lock small = new Lock(Lock.VERSION, l.spec(), List.of(SECURITY),
                new Lock.Options(l.options().exclude(), l.options().skipDependencies(), true),
                new TreeMap<>(Map.of("amd64", List.of(new Lock.Package("libc6", "2.36-9+deb12u8", "amd64", "glibc",
                        "pool/updates/main/g/glibc/libc6_2.36-9+deb12u8_amd64.deb", 2_805_000, LIBC6, 0)))));
        assertEquals(GOLDEN, written(small));
    }

    @Test
    void theGoldenTextUsesLfTwoSpaceIndentAndAFinalNewline() {
        // a guard on the golden string itself, so an editor cannot quietly change what it pins
        assertFalse(GOLDEN.contains("\r"));
        assertFalse(GOLDEN.contains("\t"));
        assertTrue(GOLDEN.endsWith("}\n"));
        assertFalse(GOLDEN.endsWith("\n\n"));
        for (String line : GOLDEN.split("\n")) {
            int indent = line.length() - line.stripLeading().length();
            assertEquals(0, indent % 2, line);
        }
    }

    @Test
    void readingWhatWasWrittenGivesAnEqualLock() {
        Lock lock = bookworm();
        assertEquals(lock, LockJson.read(LockJson.write(lock), WHAT));
    }

    @Test
    void theGoldenTextReadsBackAndWritesTheSameBytes() {
        assertEquals(GOLDEN, written(read(GOLDEN)));
    }

    @Test
    void theSameLockAlwaysGivesTheSameBytes() {
        assertArrayEquals(LockJson.write(bookworm()), LockJson.write(bookworm()));
        assertArrayEquals(LockJson.write(bookworm()), LockJson.write(bookwormInsertedOtherwise()));
        assertArrayEquals(LockJson.write(bookworm()), LockJson.write(LockJson.read(LockJson.write(bookworm()), WHAT)));
    }

    @Test
    void packagesFromRecipesComeAfterTheArchsWithoutASha256AndRoundTripBuiltOrNot() {
        Digest recipe = Digest.of("recipe base".getBytes(StandardCharsets.UTF_8));
        Lock.FromRecipe base = new Lock.FromRecipe("base", "1.0-0kiln1", "amd64", "base", recipe, Optional.empty());
        Lock.FromRecipe doc = new Lock.FromRecipe("base-doc", "1.0-0kiln1", "amd64", "base", recipe, Optional.empty());
        Lock lock = bookworm().withFromRecipes(new TreeMap<>(Map.of("amd64", List.of(doc, base))));
        String json = written(lock);
        assertInOrder(json, "\"archs\"", "\"fromRecipes\"", "\"name\": \"base\"", "\"recipe\"", "\"digest\"",
                "\"name\": \"base-doc\"");
        String pins = json.substring(json.indexOf("\"fromRecipes\""));
        assertFalse(pins.contains("sha256\"") || pins.contains("size"), pins);
        assertEquals(json, written(read(json)), "unbuilt pins read back to the same bytes");
        assertEquals(lock, read(json));

        Lock built = lock.withFromRecipes(new TreeMap<>(Map.of("amd64", List.of(base.withBuilt(LIBC6, 1234), doc.withBuilt(TZDATA, 56)))));
        String builtJson = written(built);
        assertEquals(builtJson, written(read(builtJson)), "built pins read back to the same bytes");
        assertEquals(List.of("libc6", "tzdata", "base", "base-doc"), built.installed("amd64").stream().map(Lock.Package::name).toList());
        assertEquals(LIBC6, built.installed("amd64").get(2).sha256());
        assertThrows(IllegalStateException.class, () -> lock.installed("amd64"), "an unbuilt pin installs nothing");
        assertEquals(written(bookworm()), written(bookworm().withFromRecipes(new TreeMap<>())), "no pins: the bytes of before");
    }

    @Test
    void keysAreWrittenInTheFixedOrder() {
        String json = written(bookworm());
        assertInOrder(json, "\"lockVersion\"", "\"spec\"", "\"repositories\"", "\"options\"", "\"archs\"");
        assertInOrder(json, "\"line\"", "\"release\"", "\"date\"", "\"signedBy\"");
        assertInOrder(json, "\"exclude\"", "\"skipDependencies\"", "\"recommends\"");
        assertInOrder(json, "\"name\"", "\"version\"", "\"architecture\"", "\"source\"", "\"path\"", "\"size\"",
                "\"sha256\"", "\"repository\"");
        assertInOrder(json, "\"amd64\": [", "\"arm64\": [");
    }

    private static void assertInOrder(String text, String... pieces) {
        int at = -1;
        for (String p : pieces) {
            int next = text.indexOf(p, at + 1);
            assertTrue(next > at, p + " after position " + at + " in\n" + text);
            at = next;
        }
    }

    @Test
    void aRepositoryWithoutValidUntilHasNoSuchKey() {
        String json = written(new Lock(Lock.VERSION, new Lock.Spec("base.yaml", SPEC), List.of(BOOKWORM),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>()));
        assertFalse(json.contains("validUntil"), json);
        assertEquals(Optional.empty(), read(json).repositories().get(0).validUntil());
    }

    @Test
    void theDistributionIsWrittenAfterTheSignersAndReadBack() {
        Lock.Repository withDistribution = new Lock.Repository(BOOKWORM.line(), BOOKWORM.release(), BOOKWORM.date(),
                BOOKWORM.validUntil(), BOOKWORM.signedBy(), Optional.of(new Lock.Distribution("Debian", "bookworm", "12.8")));
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec("base.yaml", SPEC), List.of(withDistribution),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>());
        String json = written(lock);
        assertInOrder(json, "\"signedBy\"", "\"distribution\": {", "\"origin\": \"Debian\"", "\"codename\": \"bookworm\"",
                "\"version\": \"12.8\"", "\"options\"");
        assertEquals(lock, read(json));
    }

    @Test
    void aLockFromBeforeTheDistributionWasRecordedReadsWithoutOne() {
        String json = written(new Lock(Lock.VERSION, new Lock.Spec("base.yaml", SPEC), List.of(BOOKWORM),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>()));
        assertFalse(json.contains("distribution"), json);
        assertEquals(Optional.empty(), read(json).repositories().get(0).distribution());
    }

    @Test
    void aDistributionWithoutItsCodenameIsNamedWithWhereItIs() {
        String json = written(new Lock(Lock.VERSION, new Lock.Spec("base.yaml", SPEC), List.of(BOOKWORM),
                new Lock.Options(Set.of(), Map.of(), false), new TreeMap<>()))
                .replace("\"signedBy\"", "\"distribution\": {\"origin\": \"Debian\", \"version\": \"12\"},\n    \"signedBy\"");
        ResolveException e = assertThrows(ResolveException.class, () -> read(json));
        assertTrue(e.getMessage().contains("'codename' in repositories[0].distribution"), e.getMessage());
    }

    @Test
    void aLockWithNothingInItRoundTrips() {
        Lock empty = new Lock(Lock.VERSION, new Lock.Spec("empty.yaml", SPEC), List.of(),
                new Lock.Options(Set.of(), Map.of(), true), new TreeMap<>());
        assertEquals(empty, read(written(empty)));
    }

    @Test
    void textThatIsNotJsonIsAnErrorSayingToRegenerate() {
        ResolveException e = readError("<<<<<<< HEAD\n{\"lockVersion\": 1}\n=======\n");
        assertTrue(e.getMessage().startsWith(WHAT + ": not a valid JSON lockfile"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aSpecGivenForALockIsSaidToBeOneWithWhereItsLockIs() {
        ResolveException e = assertThrows(ResolveException.class, () -> LockJson.read(
                "# an image\ncontents:\n  packages: [libc6]\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "base.yaml"));
        assertTrue(e.getMessage().startsWith("base.yaml: not a valid JSON lockfile: line 1, column 1: expected a value"), e.getMessage());
        assertTrue(e.getMessage().contains("found '#'") && e.getMessage().contains("this looks like an image spec")
                && e.getMessage().contains("SPEC.lock.json"), e.getMessage());
        assertFalse(e.getMessage().contains("REDACTED"), e.getMessage()); // jackson's location text stays out
    }

    @Test
    void aMissingKeyIsNamedWithTheAdviceToRegenerate() {
        ResolveException e = readError(bookwormJsonWith(
                "\"sha256\": \"" + LIBC6_ARM64.hex() + "\",", ""));
        assertTrue(e.getMessage().contains("lacks 'sha256'"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aMissingSectionIsNamed() {
        String json = written(bookworm());
        String withoutOptions = json.substring(0, json.indexOf("  \"options\"")) + json.substring(json.indexOf("  \"archs\""));
        ResolveException e = readError(withoutOptions);
        assertTrue(e.getMessage().contains("lacks 'options'"), e.getMessage());
    }

    @Test
    void aNullValueCountsAsMissing() {
        ResolveException e = readError(bookwormJsonWith("\"source\": \"glibc\"", "\"source\": null"));
        assertTrue(e.getMessage().contains("lacks 'source'"), e.getMessage());
    }

    @Test
    void aMalformedDigestIsNamedWithTheAdviceToRegenerate() {
        ResolveException e = readError(bookwormJsonWith("sha256:" + SPEC.hex(), "sha256:6bb3eb6c"));
        assertTrue(e.getMessage().contains("malformed value"), e.getMessage());
        assertTrue(e.getMessage().contains("'sha256:6bb3eb6c'"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aMalformedDateIsNamedWithTheAdviceToRegenerate() {
        ResolveException e = readError(bookwormJsonWith("\"2024-06-29T09:41:37Z\"", "\"Sat, 29 Jun 2024 09:41:37 UTC\""));
        assertTrue(e.getMessage().contains("malformed value"), e.getMessage());
        assertTrue(e.getMessage().contains("Sat, 29 Jun 2024 09:41:37 UTC"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aSizeThatIsNotANumberIsAnError() {
        ResolveException e = readError(bookwormJsonWith("\"size\": 2305120", "\"size\": \"2.2 MB\""));
        assertTrue(e.getMessage().contains("'size'"), e.getMessage());
        assertTrue(e.getMessage().contains("2.2 MB"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aRepositoryIndexThatIsNotANumberIsAnError() {
        ResolveException e = readError(bookwormJsonWith("\"repository\": 1", "\"repository\": \"security\""));
        assertTrue(e.getMessage().contains("'repository'"), e.getMessage());
    }

    @Test
    void aRecommendsThatIsNotABooleanIsAnError() {
        ResolveException e = readError(bookwormJsonWith("\"recommends\": false", "\"recommends\": \"yes\""));
        assertTrue(e.getMessage().contains("'recommends'"), e.getMessage());
        assertTrue(e.getMessage().contains("\"yes\""), e.getMessage());
    }

    @Test
    void aSectionOfTheWrongTypeIsRefusedNotSkipped() {
        // these once read as a lock with fewer packages, or none
        ResolveException list = readError(bookwormJsonWith("\"archs\": {", "\"archs\": [1, 2], \"was\": {"));
        assertEquals(WHAT + ": expected an object in 'archs', found [1,2]\n  fix: resolve the spec again to regenerate it ('kiln lock')", list.getMessage());
        ResolveException number = readError(bookwormJsonWith("\"amd64\": [", "\"amd64\": 5, \"was\": ["));
        assertEquals(WHAT + ": expected a list in 'amd64' of archs, found 5\n  fix: resolve the spec again to regenerate it ('kiln lock')",
                number.getMessage());
        ResolveException repos = readError(bookwormJsonWith("\"repositories\": [", "\"repositories\": 5, \"was\": ["));
        assertTrue(repos.getMessage().startsWith(WHAT + ": expected a list in 'repositories', found 5"), repos.getMessage());
    }

    @Test
    void aValueOfTheWrongTypeIsNamedWithWhereItIs() {
        ResolveException e = readError(bookwormJsonWith("\"name\": \"libc6\"", "\"name\": {\"x\": 1}"));
        assertTrue(e.getMessage().startsWith(WHAT + ": expected text in 'name' of archs.amd64[0], found {\"x\":1}"), e.getMessage());
        ResolveException signer = readError(bookwormJsonWith("\"signedBy\": [", "\"signedBy\": [7, "));
        assertTrue(signer.getMessage().contains("expected a list of text in 'signedBy' of repositories[0]"), signer.getMessage());
        ResolveException top = readError("[1, 2]");
        assertTrue(top.getMessage().startsWith(WHAT + ": expected an object for the lockfile, found [1,2]"), top.getMessage());
    }

    @Test
    void aMissingKeyDeepInsideSaysWhere() {
        ResolveException e = readError(bookwormJsonWith("\"sha256\": \"" + LIBC6_ARM64.hex() + "\",", ""));
        assertTrue(e.getMessage().contains("lacks 'sha256' in archs.arm64[0]"), e.getMessage());
    }

    @Test
    void anotherLockVersionIsRefused() {
        ResolveException e = readError(bookwormJsonWith("\"lockVersion\": 1", "\"lockVersion\": 2"));
        assertTrue(e.getMessage().contains("lockVersion 2 is not one this kiln reads (expected 1)"), e.getMessage());
        assertTrue(e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
    }

    @Test
    void aPackageNamingARepositoryOutOfRangeIsAnError() {
        ResolveException e = readError(bookwormJsonWith("\"repository\": 1", "\"repository\": 2"));
        assertTrue(e.getMessage().contains("libc6 names repository 2, but the lock has 2"), e.getMessage());
        ResolveException negative = readError(bookwormJsonWith("\"repository\": 1", "\"repository\": -1"));
        assertTrue(negative.getMessage().contains("names repository -1"), negative.getMessage());
    }

    @Test
    void packagesOfAnArchitectureAreInLockOrder() {
        Lock l = bookworm();
        assertEquals(List.of("libc6", "tzdata"), l.packages("arm64").stream().map(Lock.Package::name).toList());
        assertEquals(List.of(), l.packages("riscv64"));
    }

    @Test
    void allPackagesListsEachFileOnce() {
        List<Lock.Package> all = bookworm().allPackages();
        assertEquals(3, all.size(), "tzdata is arch:all and in both architectures: " + all);
        assertEquals(1, all.stream().filter(p -> p.name().equals("tzdata")).count());
    }

    @Test
    void theLockDoesNotShareItsCollectionsWithTheCaller() {
        List<Lock.Repository> repos = new ArrayList<>(List.of(BOOKWORM));
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>(Map.of("all", List.of(TZDATA_ALL)));
        Lock l = new Lock(Lock.VERSION, new Lock.Spec("base.yaml", SPEC), repos,
                new Lock.Options(Set.of(), Map.of(), false), archs);
        repos.add(SECURITY);
        archs.clear();
        assertEquals(1, l.repositories().size());
        assertEquals(Set.of("all"), l.archs().keySet());
        assertThrows(UnsupportedOperationException.class, () -> l.archs().clear());
    }

    // ---- local sources

    private static final Lock.Copy APP = new Lock.Copy("/app", "./app",
            Digest.parse("3d6f0a3f6e1b5f8a6c5b9e2c1d0f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5"), 3, 1234);
    private static final Lock.Copy CONF = new Lock.Copy("/etc/app.conf", "../shared/app.conf",
            Digest.parse("5a1e3c0b9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060504"), 1, 12);

    @Test
    void localSourcesAreWrittenSortedByPathAfterTheOptionsAndReadBack() {
        Lock l = bookworm().withCopies(List.of(APP, CONF));
        String json = written(l);
        assertInOrder(json, "\"options\"", "\"localSources\"", "\"path\": \"/app\"", "\"path\": \"/etc/app.conf\"", "\"archs\"");
        assertTrue(json.contains("""
                  "localSources": [
                    {
                      "path": "/app",
                      "source": "./app",
                      "sha256": "3d6f0a3f6e1b5f8a6c5b9e2c1d0f4a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5",
                      "files": 3,
                      "size": 1234
                    },
                """), json);
        assertEquals(l, read(json));
        assertEquals(List.of(APP, CONF), read(json).copies());
    }

    @Test
    void aLockWithoutLocalSourcesHasNoSuchKeyAndAnOlderLockReadsAsHavingNone() {
        assertFalse(written(bookworm()).contains("localSources"));
        assertEquals(List.of(), read(GOLDEN).copies());
    }

    @Test
    void aMalformedLocalSourceIsAnErrorSayingToRegenerate() {
        String json = written(bookworm().withCopies(List.of(APP)));
        ResolveException e = readError(json.replace("\"files\": 3", "\"files\": -3"));
        assertTrue(e.getMessage().contains("'files'") && e.getMessage().contains("resolve the spec again to regenerate it ('kiln lock')"), e.getMessage());
        ResolveException list = readError(json.replaceFirst("\"localSources\": \\[", "\"localSources\": 7, \"x\": ["));
        assertTrue(list.getMessage().contains("expected a list in 'localSources'"), list.getMessage());
    }
}
