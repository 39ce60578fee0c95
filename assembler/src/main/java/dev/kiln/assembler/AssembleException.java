package dev.kiln.assembler;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/** A package or tree could not be turned into an image: malformed or hostile archives, conflicting trees. */
public class AssembleException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures to assemble an image that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("assemble"),
        /** A .deb is another package than the lock entry that pins it says. */
        PACKAGE_MISMATCH("assemble.package-mismatch"),
        /** A .deb is not a well-formed package: not an ar archive, a corrupt or truncated member, a hostile entry. */
        MALFORMED_PACKAGE("assemble.malformed-package"),
        /** A .deb expands past the unpack limits (entries, bytes of one file, bytes in all): a possible decompression bomb. */
        UNPACK_LIMIT("assemble.unpack-limit"),
        /** Two packages ship one path differently (and neither Replaces the other), or a file where a directory must be. */
        FILE_CONFLICT("assemble.file-conflict"),
        /** An entry of the spec's {@code paths} cannot be made in the image. */
        PATHS("assemble.paths"),
        /** The spec's {@code accounts} cannot be written: a name or id given twice, {@code run-as} naming no such user. */
        ACCOUNTS("assemble.accounts"),
        /** The spec's {@code alternatives} choose a path the image lacks, or name a new alternative without its link. */
        ALTERNATIVES("assemble.alternatives");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public AssembleException(String message) {
        super(Kind.OTHER, message, null);
    }

    public AssembleException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public AssembleException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public AssembleException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
