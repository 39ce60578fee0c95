package dev.kiln.oci.registry;

/** What a request needs to be allowed: the token scope's actions. */
enum Access {
    PULL("pull"), PUSH("pull,push");

    final String actions;

    Access(String actions) {
        this.actions = actions;
    }
}
