package dev.kiln.fetcher;

import dev.kiln.store.ErrorCode;

/**
 * Some files of a fetch could not be had. The message says each way of failing once, then that
 * nothing partial was kept, then what to do: see the network and the mirror's address when only the
 * network failed, else another mirror. Its {@link #code()} is the network's ({@code fetch.unreachable},
 * {@code fetch.network}) when only the network failed, else the servers' ({@code fetch.wrong-bytes}
 * when any sent other bytes, {@code fetch.not-found} when all said not found).
 */
public final class DownloadsFailedException extends FetchException {
    private static final long serialVersionUID = 1L;

    private final String report;
    private final boolean network;

    DownloadsFailedException(String report, boolean network, ErrorCode code) {
        super(code, report + "\n  nothing partial or unverified was kept"
                + (network ? HttpTransport.NETWORK_FIX : "\n  fix: retry, or point the repository at another mirror"));
        this.report = report;
        this.network = network;
    }

    /** What failed and how, without what was kept and what to do. */
    public String report() {
        return report;
    }

    /**
     * Whether only the network failed (no connection, a timeout, a dropped connection, a server
     * error): no server answered with something wrong.
     */
    public boolean networkOnly() {
        return network;
    }
}
