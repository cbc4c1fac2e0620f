package dev.vela.hub;

/**
 * One file of a hub repository.
 *
 * @param name   its path inside the repository, '/'-separated (files may sit in folders)
 * @param size   its size in bytes, or -1 when not known
 * @param sha256 its SHA-256 in lowercase hex, or null when not known (small non-LFS files)
 */
record RepoFile(String name, long size, String sha256) {
}
