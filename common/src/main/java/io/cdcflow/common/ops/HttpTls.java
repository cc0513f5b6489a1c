package io.cdcflow.common.ops;

import io.cdcflow.common.config.ConfigException;
import io.cdcflow.common.config.Env;
import io.cdcflow.common.config.Setting;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * HTTPS for a deployable's endpoints: a PEM certificate chain (such as {@code STREAMS_HTTP_TLS_CERT}) and its PEM
 * PKCS#8 private key ({@code STREAMS_HTTP_TLS_KEY}), as Kubernetes TLS secrets and most certificate tools hand them out. When
 * both are set the endpoints are served over HTTPS only.
 */
public record HttpTls(Path certificate, Path key) {
    private static final char[] NO_PASSWORD = new char[0];

    /** The TLS settings, or null when neither is set. */
    public static HttpTls fromEnv(Env env, Setting<String> certSetting, Setting<String> keySetting) {
        String certVariable = certSetting.name();
        String keyVariable = keySetting.name();
        var cert = java.util.Optional.ofNullable(certSetting.from(env));
        var key = java.util.Optional.ofNullable(keySetting.from(env));
        if (cert.isEmpty() && key.isEmpty()) {
            return null;
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new ConfigException("HTTPS needs both " + certVariable + " (PEM certificate chain) and " + keyVariable
                    + " (PEM private key); only " + (cert.isPresent() ? certVariable : keyVariable) + " is set");
        }
        HttpTls tls = new HttpTls(Path.of(cert.get()), Path.of(key.get()));
        tls.keyStore(); // a bad file stops the start with its name, not the first request
        return tls;
    }

    /** The certificate chain and key, as Jetty serves them. */
    public SslContextFactory.Server serverContext() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        factory.setKeyStore(keyStore());
        factory.setKeyStorePassword("");
        return factory;
    }

    /** A client context that trusts this certificate chain: instances sharing it call each other over HTTPS. */
    public SSLContext trustingClientContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<? extends Certificate> chain = chain();
            for (int i = 0; i < chain.size(); i++) {
                trust.setCertificateEntry("cert-" + i, chain.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("cannot trust the certificate in " + certificate + ": " + e.getMessage());
        }
    }

    KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", privateKey(), NO_PASSWORD, chain().toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("cannot use " + certificate + " and " + key + " for HTTPS: " + e.getMessage());
        }
    }

    private List<? extends Certificate> chain() throws IOException, GeneralSecurityException {
        List<? extends Certificate> chain = List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certificate))));
        if (chain.isEmpty()) {
            throw new ConfigException(certificate + " holds no PEM certificate");
        }
        return chain;
    }

    private PrivateKey privateKey() throws IOException, GeneralSecurityException {
        String pem = Files.readString(key, StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY") || pem.contains("ENCRYPTED PRIVATE KEY")) {
            throw new ConfigException(key + " is not an unencrypted PKCS#8 key (BEGIN PRIVATE KEY): convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in <key> -out <key>.pk8");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new ConfigException(key + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (java.security.spec.InvalidKeySpecException e) {
                // not this algorithm: try the next
            }
        }
        throw new ConfigException(key + " holds a private key of an algorithm other than RSA, EC or Ed25519");
    }
}
