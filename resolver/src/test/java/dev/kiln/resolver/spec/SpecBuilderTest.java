package dev.kiln.resolver.spec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** A spec built in code is the canonical YAML it renders: the same text in a file has the same digest and parses the same. */
class SpecBuilderTest {
    private static final String CANONICAL = """
            contents:
              repositories:
                - "deb ${DEBIAN_MIRROR} bookworm main"
              packages:
                - "base-files"
                - "libc6 (>= 2.36)"
              exclude:
                - "debconf"
              skip-dependencies:
                "libc6":
                  - "libgcc-s1"
              path-filter:
                - exclude: "/usr/share/doc/*"
                - include: "/usr/share/doc/*/copyright"
            archs:
              - "amd64"
              - "arm64"
            accounts:
              groups:
                - groupname: "nonroot"
                  gid: 65532
              users:
                - username: "nonroot"
                  uid: 65532
                  gid: 65532
                  homedir: "/home/nonroot"
                  shell: "/sbin/nologin"
              run-as: "nonroot"
            entrypoint:
              command: "/usr/bin/openssl"
            cmd: "version"
            work-dir: "/home/nonroot"
            environment:
              "GREETING": "a \\"quoted\\" value\\twith a tab"
            paths:
              - path: "/tmp"
                type: "directory"
                permissions: 0o1777
              - path: "/srv/www"
                type: "directory"
                source: "./www"
              - path: "/usr/bin/tool"
                type: "symlink"
                source: "/opt/tool"
            annotations:
              "org.opencontainers.image.title": "base"
            stop-signal: "SIGTERM"
            volumes:
              - "/data"
            ports:
              - "8080/tcp"
            layering:
              strategy: "origin"
              budget: 5
            alternatives:
              - name: "java"
                path: "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
              - name: "vi"
                path: "/usr/bin/busybox"
                link: "/usr/bin/vi"
            """;

    private static SpecBuilder full() {
        return ImageSpec.builder()
                .repository("deb ${DEBIAN_MIRROR} bookworm main")
                .packages("base-files", "libc6 (>= 2.36)")
                .exclude("debconf")
                .skipDependencies("libc6", "libgcc-s1")
                .pathFilter(false, "/usr/share/doc/*")
                .pathFilter(true, "/usr/share/doc/*/copyright")
                .archs("amd64", "arm64")
                .group("nonroot", 65532)
                .user("nonroot", 65532, 65532, Optional.of("/home/nonroot"), Optional.of("/sbin/nologin"))
                .runAs("nonroot")
                .entrypoint("/usr/bin/openssl")
                .cmd("version")
                .workDir("/home/nonroot")
                .environment("GREETING", "a \"quoted\" value\twith a tab")
                .path(SpecBuilder.directory("/tmp", OptionalInt.of(01777)))
                .path(SpecBuilder.copy("/srv/www", ImageSpec.PathType.DIRECTORY, "./www"))
                .path(SpecBuilder.symlink("/usr/bin/tool", "/opt/tool"))
                .annotation("org.opencontainers.image.title", "base")
                .stopSignal("SIGTERM")
                .volume("/data")
                .port("8080/tcp")
                .layering(new ImageSpec.Layering(ImageSpec.Layering.Strategy.ORIGIN, 5))
                .alternative(new ImageSpec.Alternative("java", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java", Optional.empty()))
                .alternative(new ImageSpec.Alternative("vi", "/usr/bin/busybox", Optional.of("/usr/bin/vi")));
    }

    @Test
    void theBuilderRendersTheCanonicalText() {
        assertEquals(CANONICAL, new String(full().yaml(), UTF_8));
    }

    @Test
    void aFileHoldingTheCanonicalTextIsTheSameSpecWithTheSameDigest() {
        ImageSpec built = full().build("spec.yaml");
        ImageSpec read = ImageSpecParser.parse(CANONICAL.getBytes(UTF_8), "spec.yaml");
        assertEquals(Digest.of(CANONICAL), built.digest());
        assertEquals(read, built);
        assertEquals("a \"quoted\" value\twith a tab", built.environment().get("GREETING"));
        assertEquals(OptionalInt.of(01777), built.paths().get(0).permissions());
    }

    @Test
    void theLeastSpecIsItsRepositoriesPackagesAndArchs() {
        String yaml = new String(ImageSpec.builder().repository("deb ${DEBIAN_MIRROR} bookworm main").packages("base-files").yaml(), UTF_8);
        assertEquals("""
                contents:
                  repositories:
                    - "deb ${DEBIAN_MIRROR} bookworm main"
                  packages:
                    - "base-files"
                archs:
                  - "amd64"
                """, yaml);
    }

    @Test
    void aBadValueIsRefusedAsInAFileNamingTheKey() {
        SpecException e = assertThrows(SpecException.class,
                () -> ImageSpec.builder().repository("deb ${DEBIAN_MIRROR} bookworm main").packages("Not A Name").build("in code"));
        assertTrue(e.getMessage().startsWith("in code:5: contents.packages[0]: expected a package name"), e.getMessage());
    }
}
