/**
 * Models from the Hugging Face hub: {@code --hf OWNER/REPO[:QUANT]} and {@code pull}.
 *
 * <p>{@link dev.vela.hub.HubClient#resolve} turns a {@link dev.vela.hub.HubRef} into the path of
 * a complete, verified .gguf file in the cache, downloading it when the cache has none that fits.
 *
 * <p>Cache layout, under {@code $VELA_CACHE} (default {@code ~/.cache/vela}):
 * <pre>
 *   OWNER/REPO/FILE                 a complete, verified model (FILE is its path in the repository)
 *   OWNER/REPO/FILE.sha256          its SHA-256, in sha256sum format ({@code sha256sum -c} works)
 *   OWNER/REPO/FILE.part            an unfinished download, resumed by the next run
 *   OWNER/REPO/FILE.part.sha256     the SHA-256 the unfinished download must reach
 * </pre>
 * A file only takes its plain name once its size and SHA-256 are checked, so a cache hit needs
 * no network and no re-hashing. Deleting any of these files is always safe.
 *
 * <p>The hub's answers used: {@code GET /api/models/OWNER/REPO?blobs=true} lists
 * {@code siblings[].rfilename} with {@code size} and {@code lfs.sha256}; {@code GET
 * /OWNER/REPO/resolve/main/FILE} answers a redirect to a CDN carrying {@code X-Linked-Etag} (the
 * quoted SHA-256) and {@code X-Linked-Size}; the CDN honours {@code Range}. 401/403 with
 * {@code X-Error-Code: GatedRepo} or {@code RepoNotFound} tell gated and missing repositories apart.
 */
package dev.vela.hub;
