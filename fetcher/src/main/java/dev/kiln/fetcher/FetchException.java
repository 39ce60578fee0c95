package dev.kiln.fetcher;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/** Bytes could not be had from outside, or could not be trusted: network, HTTP, size, hash, signature. */
public class FetchException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures to fetch that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other: an address kiln does not fetch from, an interruption. */
        OTHER("fetch"),
        /** No connection could be made: the host's name does not resolve, it refuses, or does not answer. */
        UNREACHABLE("fetch.unreachable"),
        /** A failure that trying again may cure: a timeout, a dropped connection, HTTP 5xx, 429 or 408. */
        NETWORK("fetch.network"),
        /** The server says the file is not there (HTTP 404 or 410): often a lock older than the mirror; for a file: repository, no such file or directory. */
        NOT_FOUND("fetch.not-found"),
        /** The server answered with another status: it wants credentials, refuses them, or something else. */
        REFUSED("fetch.refused"),
        /** The server sent other bytes than the lock or the signed Release names: another size or digest. */
        WRONG_BYTES("fetch.wrong-bytes"),
        /** Offline, and the store lacks files the lock names. */
        OFFLINE_MISSING("fetch.offline-missing"),
        /** A trusted key file or directory cannot be used: missing, unreadable, or not OpenPGP public keys. */
        KEYS("fetch.keys"),
        /** A proxy setting cannot be used. */
        PROXY("fetch.proxy"),
        /** The netrc file with the mirrors' credentials cannot be read. */
        NETRC("fetch.netrc");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public FetchException(String message) {
        super(Kind.OTHER, message, null);
    }

    public FetchException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public FetchException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public FetchException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
