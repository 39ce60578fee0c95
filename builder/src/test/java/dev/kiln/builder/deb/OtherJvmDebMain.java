package dev.kiln.builder.deb;

import java.nio.file.Path;

/** Writes the fixture package in another JVM (other JDK, time zone, locale): prints its sha256. */
public final class OtherJvmDebMain {
    private OtherJvmDebMain() {
    }

    public static void main(String[] args) {
        System.out.println(MessyTree.write(Path.of(args[0]), Path.of(args[1])).sha256());
    }
}
