package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JavaTrustStoreTest {
    private static final String JRE_CACERTS = "/usr/lib/jvm/java-17-openjdk-amd64/lib/security/cacerts";

    /** Self-signed CA certificates made for this run, in PEM. */
    private static final List<String> PEM = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        for (int i = 0; i < 5; i++) {
            KeyPair keys = ec.generateKeyPair();
            X500Name name = new X500Name("CN=Kiln Test Root " + i + ",O=Kiln Tests");
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(1000 + i), new Date(1_600_000_000_000L),
                    new Date(2_600_000_000_000L), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            PEM.add("-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
        }
    }

    /** ca-certificates with messy names: spaces, parentheses, a disabled one, one file of two, a local one without newline. */
    private static DebPackage caCertificates() {
        return Pkg.named("ca-certificates")
                .file("/etc/ca-certificates.conf", "# comment\nmozilla/Zeta (Root) CA.crt\n!mozilla/Disabled.crt\nmozilla/ACCVRAIZ1.crt\n"
                        + "mozilla/Pair.crt\n")
                .file("/usr/share/ca-certificates/mozilla/Zeta (Root) CA.crt", PEM.get(0))
                .file("/usr/share/ca-certificates/mozilla/Disabled.crt", "-----BEGIN CERTIFICATE-----\nnot read\n-----END CERTIFICATE-----\n")
                .file("/usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt", PEM.get(1))
                .file("/usr/share/ca-certificates/mozilla/Pair.crt", PEM.get(2) + PEM.get(3))
                .file("/usr/local/share/ca-certificates/Local.crt", PEM.get(4).strip())
                .build();
    }

    /** A JRE as Debian ships it: its cacerts a link to the store the scripts would make. */
    private static Pkg jre() {
        return Pkg.named("openjdk-17-jre-headless").field("Depends", "ca-certificates-java (>= 20190405~), java-common, libc6 (>= 2.34)")
                .symlink(JRE_CACERTS, "/etc/ssl/certs/java/cacerts");
    }

    private static List<DebPackage> javaImage() {
        return List.of(caCertificates(), Pkg.named("ca-certificates-java").dir("/etc/ssl/certs/java").build(), jre().build());
    }

    private static KeyStore load(FileTree tree) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(tree.get(JavaTrustStore.KEYSTORE).orElseThrow().content().readAllBytes()), null);
        return store;
    }

    private static List<X509Certificate> bundle(FileTree tree) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(
                tree.get("/etc/ssl/certs/ca-certificates.crt").orElseThrow().content().readAllBytes()))
                .forEach(c -> out.add((X509Certificate) c));
        return out;
    }

    @Test
    void theStoreHoldsExactlyTheBundlesCertificatesUnderDebiansAliases() throws Exception {
        FileTree tree = RootfsBuilder.build(javaImage(), RootfsBuilderTest.AMD64);
        KeyStore store = load(tree);
        assertEquals(List.of("debian:zeta_root_ca.pem", "debian:accvraiz1.pem", "debian:pair.pem", "debian:pair.pem-2",
                "debian:local.pem"), JavaTrustStore.certificates(draftOf(javaImage())).stream().map(c -> c.alias()).toList());
        List<X509Certificate> bundle = bundle(tree);
        assertEquals(5, bundle.size());
        assertEquals(bundle.size(), store.size());
        for (String alias : Collections.list(store.aliases())) {
            assertTrue(store.isCertificateEntry(alias), alias + " is a trusted certificate entry");
            assertTrue(bundle.contains(store.getCertificate(alias)), alias);
        }
        for (X509Certificate c : bundle) {
            assertTrue(store.getCertificateAlias(c) != null, c.getSubjectX500Principal().getName());
        }
    }

    @Test
    void javasDefaultTrustManagerTrustsEveryCertificateOfTheBundle() throws Exception {
        FileTree tree = RootfsBuilder.build(javaImage(), RootfsBuilderTest.AMD64);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(load(tree));
        X509TrustManager trust = (X509TrustManager) factory.getTrustManagers()[0];
        assertEquals(bundle(tree).size(), trust.getAcceptedIssuers().length);
    }

    @Test
    void theBytesAreTheSameOnEveryRunAtAnyEpochAndInAnyPackageOrder() {
        byte[] first = RootfsBuilder.build(javaImage(), RootfsBuilderTest.AMD64).get(JavaTrustStore.KEYSTORE).orElseThrow()
                .content().readAllBytes();
        List<DebPackage> reversed = new ArrayList<>(javaImage());
        Collections.reverse(reversed);
        FileTree again = RootfsBuilder.build(reversed, RootfsBuilder.Options.of("amd64", RootfsBuilderTest.EPOCH + 86_400));
        assertArrayEquals(first, again.get(JavaTrustStore.KEYSTORE).orElseThrow().content().readAllBytes());
        assertArrayEquals(first, JavaTrustStore.encode(JavaTrustStore.certificates(draftOf(javaImage()))));
    }

    @Test
    void theJresCacertsLinkLeadsToTheStore() {
        Draft draft = draftOf(javaImage());
        JavaTrustStore.write(draft);
        assertEquals(JavaTrustStore.KEYSTORE, draft.resolve(JRE_CACERTS).orElseThrow());
        Entry store = RootfsBuilder.build(javaImage(), RootfsBuilderTest.AMD64).get(JavaTrustStore.KEYSTORE).orElseThrow();
        assertEquals(0644, store.mode(), "readable by every user");
    }

    @Test
    void aJreWhoseDependencyOnCaCertificatesJavaWasSkippedStillGetsTheStore() {
        FileTree tree = RootfsBuilder.build(List.of(caCertificates(), jre().build()), RootfsBuilderTest.AMD64);
        assertTrue(tree.get(JavaTrustStore.KEYSTORE).isPresent());
    }

    @Test
    void withoutJavaThereIsNoStore() {
        FileTree tree = RootfsBuilder.build(List.of(caCertificates(),
                Pkg.named("python3").field("Depends", "ca-certificates-javascript-free, libc6").build()), RootfsBuilderTest.AMD64);
        assertTrue(tree.get("/etc/ssl/certs/ca-certificates.crt").isPresent());
        assertFalse(tree.get(JavaTrustStore.KEYSTORE).isPresent());
    }

    @Test
    void aCertificateJavaCannotReadFailsTheBuildNamingItsFileAndPackage() {
        DebPackage broken = Pkg.named("ca-certificates").file("/usr/share/ca-certificates/mozilla/Broken.crt",
                "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n").build();
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(
                List.of(broken, jre().build()), RootfsBuilderTest.AMD64));
        assertEquals(AssembleException.Kind.MALFORMED_PACKAGE.code(), e.code());
        assertTrue(e.getMessage().contains("/usr/share/ca-certificates/mozilla/Broken.crt")
                && e.getMessage().contains("shipped by ca-certificates"), e.getMessage());
    }

    @Test
    void theAliasIsTheNameOfDebiansLinkLowerCased() {
        assertEquals("debian:certigna_root_ca.pem", JavaTrustStore.alias("/usr/share/ca-certificates/mozilla/Certigna Root CA.crt"));
        assertEquals("debian:e-tugra_certification_authority.pem",
                JavaTrustStore.alias("/usr/share/ca-certificates/mozilla/E-Tugra_Certification_Authority.crt"));
        assertEquals("debian:ac_raiz_fnmt-rcm.pem", JavaTrustStore.alias("/usr/share/ca-certificates/mozilla/AC_RAIZ_FNMT-RCM.crt"));
    }

    /** The draft the builder has when the store is made: packages merged, the bundle written. */
    private static Draft draftOf(List<DebPackage> packages) {
        Draft draft = new Draft(RootfsBuilderTest.EPOCH);
        draft.put(Entry.dir("/", 0755, 0, 0, RootfsBuilderTest.EPOCH), Draft.GENERATED);
        PackageMerge.merge(draft, PackageMerge.ordered(packages), true);
        CaBundle.write(draft);
        return draft;
    }
}
