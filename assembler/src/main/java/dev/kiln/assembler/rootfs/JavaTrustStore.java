package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.resolver.debian.Relation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.AuthenticatedSafe;
import org.bouncycastle.asn1.pkcs.CertBag;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Pfx;
import org.bouncycastle.asn1.pkcs.SafeBag;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * {@code /etc/ssl/certs/java/cacerts} as {@code ca-certificates-java}'s scripts make it, without
 * running them: the CA bundle's certificates ({@link CaBundle#certificates}, in bundle order) as
 * trusted entries of a keystore every JRE reads by default, which the JRE's
 * {@code lib/security/cacerts} link points to.
 *
 * <p>The format is PKCS#12 ({@code keystore.type} is pkcs12 since Java 9) with one unencrypted
 * SafeContents of certificate bags, each with its alias as {@code friendlyName} and Java's
 * trusted-key-usage attribute (what makes it a trusted certificate entry), and no MAC: a store of
 * public certificates needs no password, and Java reads it without one. Encoded in DER, it holds
 * no salt, IV, date or iteration count, so its bytes are a function of the certificates and their
 * names alone. ({@code KeyStore.store} would draw random salts and stamp dates.)
 *
 * <p>Aliases are Debian's: {@code debian:} and the name of the certificate's link in
 * {@code /etc/ssl/certs} ({@code update-ca-certificates}: the file name less {@code .crt}, spaces
 * to underscores, parentheses dropped, plus {@code .pem}), lower-cased as Java lists them.
 */
final class JavaTrustStore {
    static final String PACKAGE = "ca-certificates-java";
    static final String KEYSTORE = "/etc/ssl/certs/java/cacerts";

    /** Oracle's trusted-key-usage attribute: its presence marks a certificate bag as a trusted entry. */
    private static final ASN1ObjectIdentifier TRUSTED_KEY_USAGE = new ASN1ObjectIdentifier("2.16.840.1.113894.746875.1.1");

    private JavaTrustStore() {
    }

    /** A certificate of the store: its alias and its DER encoding. */
    record TrustedCertificate(String alias, byte[] der) {
    }

    /**
     * Whether the image needs the store: {@code ca-certificates-java} is installed, or a package
     * (a JRE whose dependency the spec skipped) depends on it.
     */
    static boolean wanted(List<DebPackage> packages) {
        for (DebPackage p : packages) {
            if (p.packageName().equals(PACKAGE)) {
                return true;
            }
            for (String field : List.of("Depends", "Pre-Depends")) {
                String value = p.field(field).orElse("");
                if (value.contains(PACKAGE) && Relation.parseGroups(value, p.packageName() + " " + field).stream()
                        .flatMap(List::stream).anyMatch(r -> r.name().equals(PACKAGE))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Writes the store made from the bundle's certificates; nothing when there is none, as for the bundle. */
    static void write(Draft draft) {
        List<TrustedCertificate> certificates = certificates(draft);
        if (!certificates.isEmpty()) {
            draft.putGenerated(KEYSTORE, encode(certificates));
        }
    }

    /** The bundle's certificates in bundle order, each named as Debian names it. */
    static List<TrustedCertificate> certificates(Draft draft) {
        List<TrustedCertificate> out = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        CertificateFactory x509 = x509();
        for (String path : CaBundle.certificates(draft)) {
            byte[] pem = draft.content(path).orElseThrow().readAllBytes();
            Collection<? extends Certificate> certs;
            try {
                certs = x509.generateCertificates(new ByteArrayInputStream(pem));
            } catch (CertificateException e) {
                throw malformed(draft, path, e.getMessage());
            }
            if (certs.isEmpty()) {
                throw malformed(draft, path, "no certificate");
            }
            String base = alias(path);
            for (Certificate c : certs) {
                String alias = base;
                for (int n = 2; !taken.add(alias); n++) {
                    alias = base + "-" + n;
                }
                try {
                    out.add(new TrustedCertificate(alias, c.getEncoded()));
                } catch (CertificateException e) {
                    throw malformed(draft, path, e.getMessage());
                }
            }
        }
        return out;
    }

    /** {@code debian:NAME.pem} for {@code .../NAME.crt}, as {@code update-ca-certificates} links it. */
    static String alias(String certificatePath) {
        String name = certificatePath.substring(certificatePath.lastIndexOf('/') + 1);
        if (name.endsWith(".crt")) {
            name = name.substring(0, name.length() - ".crt".length());
        }
        name = name.replace(' ', '_').replace("(", "").replace(")", "");
        return ("debian:" + name + ".pem").toLowerCase(Locale.ROOT);
    }

    /** The PKCS#12 bytes (DER) of a store holding {@code certificates} as trusted entries. */
    static byte[] encode(List<TrustedCertificate> certificates) {
        List<ASN1Encodable> bags = new ArrayList<>();
        for (TrustedCertificate c : certificates) {
            CertBag bag = new CertBag(PKCSObjectIdentifiers.x509Certificate, new DEROctetString(c.der()));
            DERSet attributes = new DERSet(new ASN1Encodable[] {
                new Attribute(PKCSObjectIdentifiers.pkcs_9_at_friendlyName, new DERSet(new DERBMPString(c.alias()))),
                new Attribute(TRUSTED_KEY_USAGE, new DERSet(KeyPurposeId.anyExtendedKeyUsage)),
            });
            bags.add(new SafeBag(PKCSObjectIdentifiers.certBag, bag, attributes));
        }
        try {
            ContentInfo safeContents = data(new DERSequence(bags.toArray(ASN1Encodable[]::new)).getEncoded(ASN1Encoding.DER));
            ContentInfo authSafe = data(new AuthenticatedSafe(new ContentInfo[] {safeContents}).getEncoded(ASN1Encoding.DER));
            return new Pfx(authSafe, null).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding a keystore in memory", e);
        }
    }

    private static ContentInfo data(byte[] der) {
        return new ContentInfo(PKCSObjectIdentifiers.data, new DEROctetString(der));
    }

    private static CertificateFactory x509() {
        try {
            return CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("every Java platform has an X.509 certificate factory", e);
        }
    }

    private static AssembleException malformed(Draft draft, String path, String found) {
        return new AssembleException(AssembleException.Kind.MALFORMED_PACKAGE,
                "cannot make the Java trust store " + KEYSTORE + ": expected PEM X.509 certificates in " + path
                + " (shipped by " + draft.owner(path) + "), found: " + found
                + "; leave out the package that ships it, or disable the certificate with a '!' line in " + CaBundle.CONF);
    }
}
