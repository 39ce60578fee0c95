package dev.kiln.builder.recipe;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.source.Source;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeParserTest {
    static final Map<String, String> MIRRORS = Map.of("DEBIAN_MIRROR", "http://mirror.example/debian");

    static final String HELLO = """
            package:
              name: hello                        # Debian package name
              version: 2.10
              epoch: 0
              description: GNU hello, built from source
              copyright: [{license: GPL-3.0-or-later}]
              dependencies:
                runtime: ["libc6 (>= 2.34)"]
            environment:
              contents:
                repositories:
                  - deb ${DEBIAN_MIRROR} bookworm main
                packages: [build-essential]
              environment: {LC_ALL: C.UTF-8}
            pipeline:
              - uses: fetch
                with:
                  uri: ${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz
                  expected-sha256: 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
                  strip-components: 1
              - uses: autoconf/configure
              - uses: autoconf/make
              - uses: autoconf/make-install
              - uses: strip
              - runs: |
                  rm -rf "${{targets.destdir}}/usr/share/info/dir"
            subpackages:
              - name: hello-doc
                pipeline: [{runs: 'mkdir -p "${{targets.subpkgdir}}/usr/share" && mv "${{targets.destdir}}/usr/share/man" "${{targets.subpkgdir}}/usr/share/"'}]
            """;

    static Recipe parse(String yaml) {
        return RecipeParser.parse(yaml.getBytes(UTF_8), Path.of("packages/hello.yaml"), MIRRORS);
    }

    static String error(String yaml) {
        return assertThrows(RecipeException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void theIssuesHelloRecipeParses() {
        Recipe r = parse(HELLO);
        assertEquals("hello", r.name());
        assertEquals("2.10-0kiln1", r.debianVersion());
        assertEquals(List.of("GPL-3.0-or-later"), r.licenses());
        assertEquals(List.of("libc6 (>= 2.34)"), r.dependencies().runtime());
        assertEquals(List.of("build-essential"), r.environment().contents().packages().stream().map(p -> p.name()).toList());
        assertEquals(1, r.sources().size());
        Source.Fetch f = (Source.Fetch) r.sources().get(0);
        assertEquals("${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz", f.uri());
        assertEquals(1, f.stripComponents());
        assertEquals(List.of("autoconf/configure", "autoconf/make", "autoconf/make-install", "strip"),
                r.pipeline().stream().filter(s -> s.uses().isPresent()).map(s -> s.uses().get()).toList());
        assertEquals("hello-doc", r.subpackages().get(0).name());
    }

    @Test
    void anUnknownKeyIsAnErrorNamingFileLineAndTheClosestKey() {
        String m = error(HELLO.replace("  version: 2.10", "  verison: 2.10"));
        assertTrue(m.startsWith("packages/hello.yaml:3: package.verison: unknown key\n  fix: did you mean 'version'?"), m);
    }

    @Test
    void anUnknownKeyInTheEnvironmentIsNamedWithItsFullPath() {
        String m = error(HELLO.replace("    packages: [build-essential]", "    pakages: [build-essential]"));
        assertTrue(m.contains("packages/hello.yaml:13: environment.contents.pakages: unknown key\n  fix: did you mean 'packages'?"), m);
    }

    @Test
    void mountsOfTheFourTypesParseWithTheirDefaults() {
        Recipe r = parse(HELLO.replace("  - uses: autoconf/make\n", """
                  - uses: autoconf/make
                    mounts:
                      - {type: cache, id: ccache, target: /home/build/.ccache, sharing: locked}
                      - {type: cache, id: go, target: /cache/go}
                      - {type: secret, id: token, required: true}
                      - {type: secret, id: key, target: /keys/k}
                      - {type: tmpfs, target: /scratch, size: 1048576}
                      - {type: bind, source: ./data, target: /data}
                """));
        assertEquals(List.of(new StepMount.Cache("ccache", "/home/build/.ccache", StepMount.Sharing.LOCKED),
                new StepMount.Cache("go", "/cache/go", StepMount.Sharing.SHARED),
                new StepMount.Secret("token", "/run/secrets/token", true),
                new StepMount.Secret("key", "/keys/k", false),
                new StepMount.Tmpfs("/scratch", 1048576),
                new StepMount.Bind("./data", "/data", ".kiln-bind/1")), r.pipeline().get(1).mounts());
        assertEquals(new Source.Local("pipeline[2].mounts[5]", 29, "./data", ".kiln-bind/1"), r.sources().get(1),
                "the bind mount's source is a local source of the recipe, pinned in its lock");
        assertEquals(6, StepScripts.mounts(r).size());
    }

    @Test
    void aBadMountIsRefusedNamingItsKey() {
        String step = "  - uses: autoconf/make\n";
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: cachee, id: c, target: /c}]\n"))
                .contains("pipeline[2].mounts[0].type: unknown mount type 'cachee'\n  fix: did you mean 'cache'?"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: tmpfs, id: c, target: /c}]\n"))
                .contains("a tmpfs mount takes no id"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: cache, id: c, target: relative}]\n"))
                .contains("expected an absolute path"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: cache, id: c, target: /tmp}]\n"))
                .contains("the sandbox makes /tmp itself"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: bind, source: ../x, target: /x}]\n"))
                .contains("a path under the recipe's directory"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: cache, id: c, target: /x, sharing: both}]\n"))
                .contains("shared, private or locked"));
        assertTrue(error(HELLO.replace(step, step + "    mounts: [{type: secret, id: a, target: /x}, {type: cache, id: b, target: /x}]\n"))
                .contains("two mounts of one step at /x"));
    }

    @Test
    void aBadPackageNameOrVersionIsRefused() {
        assertTrue(error(HELLO.replace("name: hello  ", "name: Hello  ")).contains("package.name: expected a Debian package name"));
        assertTrue(error(HELLO.replace("version: 2.10", "version: 1:2.10")).contains("package.version: expected an upstream version"));
        assertTrue(error(HELLO.replace("version: 2.10", "version: v2.10")).contains("package.version"));
    }

    @Test
    void anUnknownSubstitutionIsAnErrorAtParseTime() {
        String m = error(HELLO.replace("${{targets.destdir}}/usr/share/info/dir", "${{targets.dstdir}}/usr/share/info/dir"));
        assertTrue(m.contains("pipeline[5].runs: unknown variable ${{targets.dstdir}}"), m);
        String sub = error(HELLO.replace("rm -rf \"${{targets.destdir}}", "rm -rf \"${{targets.subpkgdir}}"));
        assertTrue(sub.contains("unknown variable ${{targets.subpkgdir}}"), sub);
    }

    @Test
    void anUnknownBuiltinSuggestsTheClosest() {
        String m = error(HELLO.replace("uses: autoconf/make\n", "uses: autoconf/mak\n"));
        assertTrue(m.contains("unknown pipeline 'autoconf/mak'\n  fix: did you mean 'autoconf/make'?"), m);
    }

    @Test
    void anUnknownInputOfABuiltinIsAnError() {
        String m = error(HELLO.replace("  - uses: autoconf/configure\n", "  - uses: autoconf/configure\n    with: {opt: --disable-nls}\n"));
        assertTrue(m.contains("pipeline[1].with.opt: unknown key\n  fix: did you mean 'opts'?"), m);
    }

    @Test
    void onlyMirrorVariablesExpandInSourceUrls() {
        String m = error(HELLO.replace("${DEBIAN_MIRROR}/pool", "${HOME}/pool"));
        assertTrue(m.contains("pipeline[0].with.uri: variable ${HOME} cannot be used"), m);
        String unset = error(HELLO.replace("${DEBIAN_MIRROR}/pool", "${OTHER_MIRROR}/pool"));
        assertTrue(unset.contains("${OTHER_MIRROR} is not set"), unset);
    }

    @Test
    void aFetchNeedsAnExpectedHash() {
        String m = error(HELLO.replace("      expected-sha256: 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b\n", ""));
        assertTrue(m.contains("pipeline[0].with.expected-sha256: missing"), m);
    }

    @Test
    void theEnvironmentTakesNoArchs() {
        String m = error(HELLO.replace("  environment: {LC_ALL: C.UTF-8}", "  archs: [arm64]"));
        assertTrue(m.contains("environment.archs: a recipe builds for the host's architecture"), m);
    }

    @Test
    void aSubpackageCannotHaveASource() {
        String m = error(HELLO.replace("    pipeline: [{runs: ", "    pipeline: [{source: ./x}, {runs: "));
        assertTrue(m.contains("subpackages[0].pipeline[0]: a subpackage's pipeline takes no sources"), m);
    }

    @Test
    void aGitCheckoutNeedsExactlyOneOfTagAndBranchAndAFullCommit() {
        String git = HELLO.replace("""
                  - uses: fetch
                    with:
                      uri: ${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz
                      expected-sha256: 31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b
                      strip-components: 1
                """, """
                  - uses: git-checkout
                    with: {repository: 'https://git.example/hello.git', tag: v2.10, expected-commit: 0123456789abcdef0123456789abcdef01234567}
                """);
        Source.Git g = (Source.Git) parse(git).sources().get(0);
        assertEquals("refs/tags/v2.10", g.ref());
        assertEquals(".", g.destination());
        assertTrue(error(git.replace("tag: v2.10", "tag: v2.10, branch: main")).contains("give exactly one of tag and branch"));
        assertTrue(error(git.replace("0123456789abcdef0123456789abcdef01234567", "0123456")).contains("expected-commit: expected a full commit id"));
    }

    @Test
    void theCanonicalFormIgnoresFormattingCommentsQuotingAndKeyOrder() {
        String reformatted = """
                # the same recipe, written otherwise
                subpackages:
                  - pipeline:
                      - runs: 'mkdir -p "${{targets.subpkgdir}}/usr/share" && mv "${{targets.destdir}}/usr/share/man" "${{targets.subpkgdir}}/usr/share/"'
                    name: "hello-doc"
                pipeline:
                  - with: {strip-components: 1, expected-sha256: "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b", uri: "${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz"}
                    uses: fetch
                  - {uses: autoconf/configure}
                  - {uses: autoconf/make}
                  - {uses: autoconf/make-install}
                  - {uses: strip}
                  - runs: "rm -rf \\"${{targets.destdir}}/usr/share/info/dir\\"\\n"
                environment:
                  environment: {LC_ALL: C.UTF-8}
                  contents: {packages: [build-essential], repositories: ["deb ${DEBIAN_MIRROR} bookworm main"]}
                package: {version: "2.10", name: hello, epoch: 0, description: "GNU hello, built from source",
                  copyright: [{license: GPL-3.0-or-later}], dependencies: {runtime: ["libc6 (>= 2.34)"]}}
                """;
        Recipe a = parse(HELLO);
        Recipe b = parse(reformatted);
        assertEquals(new String(a.canonicalBytes(), UTF_8), new String(b.canonicalBytes(), UTF_8));
        assertTrue(!a.digest().equals(b.digest()));
        Recipe bumped = parse(HELLO.replace("epoch: 0", "epoch: 1"));
        assertTrue(!a.canonicalDigest().equals(bumped.canonicalDigest()));
        assertEquals("2.10-1kiln1", bumped.debianVersion());
    }

    @Test
    void theCanonicalFormReadAgainIsTheSameRecipe() throws Exception {
        Recipe a = parse(HELLO);
        String canonical = new String(a.canonicalBytes(), UTF_8);
        String head = "{\"format\":\"" + Recipe.CANONICAL_FORMAT + "\",\"recipe\":";
        assertTrue(canonical.startsWith(head), canonical);
        assertTrue(canonical.contains("\"epoch\":0") && canonical.contains("\"version\":2.10"), canonical);
        byte[] tree = canonical.substring(head.length(), canonical.length() - 1).getBytes(UTF_8);
        Recipe again = RecipeParser.parse(tree, a.file(), java.util.Map.of("DEBIAN_MIRROR", "http://mirror.example/debian"));
        assertEquals(canonical, new String(again.canonicalBytes(), UTF_8));
        assertEquals(a.debianVersion(), again.debianVersion());
    }
}
