package dev.kiln.store;

import java.util.ArrayList;
import java.util.List;

/** A lockfile as kiln's resolver writes it (see resolver's LockJson), built around given digests. */
final class LockfileFixture {
    private LockfileFixture() {
    }

    static String lockJson(Digest release, List<Digest> packages) {
        List<String> pkgs = new ArrayList<>();
        int i = 0;
        for (Digest p : packages) {
            pkgs.add("""
                      {
                        "name": "lib%d-ünïcode",
                        "version": "1:2.36-9+deb12u%d",
                        "architecture": "amd64",
                        "source": "glibc",
                        "path": "pool/main/g/glibc/libc6_2.36-9+deb12u%d_amd64.deb",
                        "size": %d,
                        "sha256": "%s",
                        "repository": 0
                      }""".formatted(i, i, i, 1000 + i, p.hex()));
            i++;
        }
        return """
                {
                  "lockVersion": 1,
                  "spec": {
                    "path": "examples/base.yaml",
                    "digest": "%s"
                  },
                  "repositories": [
                    {
                      "line": "deb ${DEBIAN_MIRROR} bookworm main",
                      "release": "%s",
                      "date": "2024-08-10T09:47:47Z",
                      "signedBy": ["keys/debian-bookworm.asc"]
                    }
                  ],
                  "options": {
                    "exclude": [],
                    "skipDependencies": {},
                    "recommends": false
                  },
                  "archs": {
                    "amd64": [
                %s
                    ]
                  }
                }
                """.formatted(Digest.of("examples/base.yaml contents"), release, String.join(",\n", pkgs));
    }
}
