package io.github.resilientjcache.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Where the testkit keeps what outlives one fixture: extracted binaries and the process registry. */
final class TestkitDirs {

  private TestkitDirs() {}

  static Path root() {
    return Path.of(System.getProperty("java.io.tmpdir"), "resilient-jcache-testkit");
  }

  static Path newFixtureDir(String prefix) {
    try {
      Path base = root().resolve("fixtures");
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a fixture directory under " + root(), e);
    }
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // A leftover temp directory is harmless; a failing close() would hide the test's own result.
    }
  }
}
