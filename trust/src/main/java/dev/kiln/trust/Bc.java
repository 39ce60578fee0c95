package dev.kiln.trust;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Bouncy Castle's JCA provider, passed to the PKCS#8 builders explicitly: nothing is registered process-wide. */
final class Bc {
    static final Provider PROVIDER = new BouncyCastleProvider();

    private Bc() {}
}
