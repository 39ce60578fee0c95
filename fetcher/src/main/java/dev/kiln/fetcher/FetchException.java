package dev.kiln.fetcher;

import dev.kiln.store.KilnException;

/** Bytes could not be had from outside, or could not be trusted: network, HTTP, size, hash, signature. */
public class FetchException extends KilnException {
    private static final long serialVersionUID = 1L;

    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
