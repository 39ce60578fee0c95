package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.VersionRelation;

/**
 * A package the spec asks for, optionally with a version constraint: {@code libc6},
 * {@code libc6 (>= 2.36)} or {@code libc6=2.36-9+deb12u14} (relation {@code =}).
 */
public record Request(String name, VersionRelation relation, String version) {
    public static Request of(String name) {
        return new Request(name, null, null);
    }

    @Override
    public String toString() {
        return relation == null ? name : name + " (" + relation.symbol() + " " + version + ")";
    }
}
