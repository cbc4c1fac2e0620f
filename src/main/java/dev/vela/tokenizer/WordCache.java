package dev.vela.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token ids of recently seen words, least recently used dropped first. Natural text repeats a
 * small set of words, so most words skip the merge loop; the bound keeps memory flat on long inputs.
 */
final class WordCache {
    private final Map<String, int[]> map;

    WordCache(int capacity) {
        this.map = new LinkedHashMap<>(capacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized int[] get(String word) {
        return map.get(word);
    }

    synchronized void put(String word, int[] ids) {
        map.put(word, ids);
    }
}
