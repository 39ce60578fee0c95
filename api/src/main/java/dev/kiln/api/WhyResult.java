package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a package is in a lock's closure, or why not: one {@link Answer} per set of architectures
 * that answer alike (in the spec's order of architectures).
 *
 * @param packageName the package asked about
 * @param spec the spec whose requests are the roots of the chains
 * @param lockFile the lock whose packages and options make the closure
 * @param lockMatchesSpec whether the lock was made from this spec as it is (else the chains are the
 *     lock's, and a request the spec added since leads nowhere)
 */
public record WhyResult(String packageName, Path spec, Path lockFile, boolean lockMatchesSpec, List<Answer> answers) {
    public WhyResult {
        Objects.requireNonNull(packageName, "packageName");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(lockFile, "lockFile");
        answers = List.copyOf(answers);
    }

    /** Where the package stands in one architecture's closure. */
    public enum Status {
        /** The spec asks for it (by name, or for a virtual package it provides). */
        REQUESTED,
        /** A chain of dependencies leads to it from what the spec asks for. */
        PULLED_IN,
        /** The lock pins it but no request leads to it: the lock was made from another spec. */
        UNREACHABLE,
        /** Not in the closure: the spec excludes it ({@code contents.exclude}). */
        EXCLUDED,
        /** Not in the closure: the spec skips it as a dependency ({@code contents.skip-dependencies}). */
        SKIPPED,
        /** Not in the closure, and nothing in it needs it. */
        ABSENT;

        /** Whether the package is in the closure. */
        public boolean inClosure() {
            return this == REQUESTED || this == PULLED_IN || this == UNREACHABLE;
        }
    }

    /**
     * The answer for {@code architectures}.
     *
     * @param version the version the lock pins (of the provider, for a virtual package); empty when absent
     * @param providedBy for a virtual package, the closure's packages that provide it (the chains lead to them)
     * @param skippedBy for {@link Status#SKIPPED}, the packages whose dependency on it the spec skips
     * @param chains the shortest chain from each request that leads to it, shortest first, at most as many as asked
     * @param moreChains how many more requests lead to it
     */
    public record Answer(List<String> architectures, Status status, Optional<String> version, List<String> providedBy,
                         List<String> skippedBy, List<Chain> chains, int moreChains) {
        public Answer {
            architectures = List.copyOf(architectures);
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(version, "version");
            providedBy = List.copyOf(providedBy);
            skippedBy = List.copyOf(skippedBy);
            chains = List.copyOf(chains);
        }
    }

    /** The dependencies from a requested package ({@code root}) to the package asked about, in order. */
    public record Chain(String root, List<Link> links) {
        public Chain {
            Objects.requireNonNull(root, "root");
            links = List.copyOf(links);
        }

        /** The packages along the chain: {@code nginx, iproute2, libbpf1, libelf1}. */
        public List<String> packages() {
            List<String> out = new java.util.ArrayList<>();
            out.add(links.isEmpty() ? root : links.get(0).from());
            links.forEach(l -> out.add(l.to()));
            return List.copyOf(out);
        }
    }

    /**
     * One dependency of the chain: {@code from}'s {@code relation} ({@code Depends: libbpf1 (>= 1:0.8)}),
     * met by {@code to}.
     *
     * @param alternative the alternative {@code to} meets, when the group has several
     * @param provided what {@code to} provides that meets it ({@code mail-transport-agent}), when through Provides
     */
    public record Link(String from, String to, String relation, Optional<String> alternative, Optional<String> provided) {
        public Link {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(relation, "relation");
            Objects.requireNonNull(alternative, "alternative");
            Objects.requireNonNull(provided, "provided");
        }
    }

    /** Whether the package is in the closure of at least one architecture. */
    public boolean inClosure() {
        return answers.stream().anyMatch(a -> a.status().inClosure());
    }
}
