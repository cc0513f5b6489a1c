package io.cdcflow.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

final class Cleanup {
    private Cleanup() {
    }

    /** Deletes a service's temporary directory; best effort, the OS cleans /tmp eventually. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir) || Boolean.getBoolean("cdcflow.keepServiceDirs")) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a file still held open by a dying server; left to the OS
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
