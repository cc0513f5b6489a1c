package io.cdcflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free TCP ports on the loopback interface, never the same one twice in a JVM: the operating system may hand a port
 * just released to the next caller, and two deployables of one test then bound the same port (the second one failed
 * to start).
 */
public final class Ports {
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Ports() {
    }

    public static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                if (GIVEN.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on loopback", e);
            }
        }
        throw new IllegalStateException("no free port on loopback not given out before, in 100 attempts");
    }
}
