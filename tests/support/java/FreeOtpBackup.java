// Writes a FreeOTP 2 backup (externalBackup.xml) the way the app does, with the JDK's own serialization and
// cryptography, for tests/data/seedfiles: `python -m tests.support.make_app_exports` compiles and runs it.
//
// The layout (Aegis's FreeOtpImporter reads the same): a serialized java.util.HashMap<String, String>;
// "masterKey" holds the JSON of a master key wrapped with the backup password (PBKDF2 over mSalt, mIterations
// rounds, 256 bits; AES/GCM with the encoded GCM parameters and mToken as associated data); each token's UUID
// holds {"key": "<the JSON of its secret sealed the same way with the master key>"}, and "<UUID>-token" its
// settings as FreeOTP's Token class writes them.
//
// Usage: java FreeOtpBackup <output> <password> [count]
//   without a count: the corpus's fixed test accounts; with one: that many TOTP accounts (for benchmarks)

import java.io.FileOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

public class FreeOtpBackup {
    private static final int ITERATIONS = 100000;

    private static String bytes(byte[] data) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < data.length; i++) {
            out.append(i == 0 ? "" : ",").append(data[i]);  // signed, as gson writes a byte[]
        }
        return out.append("]").toString();
    }

    private static String sealed(SecretKey key, byte[] plain, String token) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, key);
        cipher.updateAAD(token.getBytes(StandardCharsets.UTF_8));
        byte[] text = cipher.doFinal(plain);
        return "{\"mCipher\":\"AES/GCM/NoPadding\",\"mCipherText\":" + bytes(text) + ",\"mParameters\":"
                + bytes(cipher.getParameters().getEncoded()) + ",\"mToken\":\"" + token + "\"}";
    }

    private static void token(HashMap<String, String> backup, SecretKey master, byte[] secret, String settings)
            throws Exception {
        String id = UUID.randomUUID().toString();
        String key = sealed(master, secret, "HmacSHA1").replace("\"", "\\\"");
        backup.put(id, "{\"key\":\"" + key + "\"}");
        backup.put(id + "-token", settings);
    }

    public static void main(String[] args) throws Exception {
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        PBEKeySpec spec = new PBEKeySpec(args[1].toCharArray(), salt, ITERATIONS, 256);
        byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        SecretKey passwordKey = new SecretKeySpec(derived, "AES");
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256);
        SecretKey master = generator.generateKey();

        HashMap<String, String> backup = new HashMap<>();
        backup.put("masterKey", "{\"mAlgorithm\":\"PBKDF2withHmacSHA512\",\"mEncryptedKey\":"
                + sealed(passwordKey, master.getEncoded(), "AES") + ",\"mIterations\":" + ITERATIONS
                + ",\"mSalt\":" + bytes(salt) + "}");
        if (args.length > 2) {
            for (int n = 0; n < Integer.parseInt(args[2]); n++) {
                byte[] secret = java.nio.ByteBuffer.allocate(20).putInt(n).putInt(n).putInt(n).putInt(n).putInt(n)
                        .array();
                token(backup, master, secret, "{\"algo\":\"SHA1\",\"digits\":6,\"issuerExt\":\"Acme\",\"label\":\"user"
                        + n + "@example.org\",\"period\":30,\"type\":\"TOTP\"}");
            }
            write(args[0], backup);
            return;
        }
        token(backup, master, "Hello!\u00de\u00ad\u00be\u00ef".getBytes(StandardCharsets.ISO_8859_1),
                "{\"algo\":\"SHA1\",\"digits\":6,\"issuerExt\":\"Example\",\"label\":\"alice@example.org\","
                + "\"period\":30,\"type\":\"TOTP\"}");
        token(backup, master, "12345678901234567890".getBytes(StandardCharsets.US_ASCII),
                "{\"algo\":\"SHA256\",\"counter\":4,\"digits\":8,\"issuerExt\":\"Legacy\",\"label\":\"bob\","
                + "\"period\":30,\"type\":\"HOTP\"}");
        token(backup, master, "abcdefghij".getBytes(StandardCharsets.US_ASCII),
                "{\"algo\":\"SHA1\",\"digits\":5,\"issuerExt\":\"Steam\",\"label\":\"gamer\",\"period\":30,"
                + "\"type\":\"TOTP\"}");
        write(args[0], backup);
    }

    private static void write(String path, HashMap<String, String> backup) throws Exception {
        try (ObjectOutputStream out = new ObjectOutputStream(new FileOutputStream(path))) {
            out.writeObject(backup);
        }
    }
}
