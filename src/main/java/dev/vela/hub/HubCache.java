package dev.vela.hub;

import dev.vela.VelaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The download cache: {@code ROOT/OWNER/REPO/FILE}, FILE being the file's path in the repository.
 * Beside each file: {@code FILE.sha256} (its checksum, in {@code sha256sum} format) once complete;
 * while downloading {@code FILE.part} and {@code FILE.part.sha256} (the checksum it must reach,
 * so that a resume never mixes two versions of a file). Only complete, verified files ever carry
 * the plain name, so whatever ends in .gguf here is usable.
 */
final class HubCache {
    private static final int MAX_DEPTH = 8;

    private final Path root;

    HubCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path repoDir(HubRef ref) {
        return root.resolve(ref.owner()).resolve(ref.repo());
    }

    /** Where a repository file lives; refuses names that would land outside the repository's folder. */
    Path fileFor(HubRef ref, String name) {
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..") || segment.indexOf('\\') >= 0
                    || segment.indexOf(':') >= 0 || segment.indexOf('\0') >= 0) {
                throw new VelaException("refusing the file name '" + HubHttp.oneLine(name) + "' from " + ref.repoId()
                        + ": it is not a plain relative path");
            }
        }
        Path dir = repoDir(ref);
        Path p = dir.resolve(name).normalize();
        if (!p.startsWith(dir)) {
            throw new VelaException("refusing the file name '" + HubHttp.oneLine(name) + "' from " + ref.repoId());
        }
        return p;
    }

    /** The complete .gguf files cached for a repository, by their names in it. */
    List<RepoFile> cachedModels(HubRef ref) {
        Path dir = repoDir(ref);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<RepoFile> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir, MAX_DEPTH)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf") && Files.isRegularFile(p)) {
                    String name = dir.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                    out.add(new RepoFile(name, Files.size(p), null));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new VelaException("cannot read the model cache " + dir + ": " + HubHttp.describe(e), e);
        }
        return out;
    }

    static Path sibling(Path file, String suffix) {
        return file.resolveSibling(file.getFileName() + suffix);
    }
}
