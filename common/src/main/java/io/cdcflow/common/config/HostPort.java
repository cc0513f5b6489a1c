package io.cdcflow.common.config;

/** An address to bind or reach, from {@code host:port} ({@code [::1]:8080} for IPv6). */
public record HostPort(String host, int port) {
    public static HostPort parse(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return new HostPort(host, port);
    }

    /**
     * The host's name and {@code port}: stable across restarts of one instance, distinct between instances on a host
     * (a static consumer-group member id).
     */
    public static String localInstanceId(int port) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + port;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
